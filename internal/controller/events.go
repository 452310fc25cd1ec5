/*
Copyright 2026 The apitoken-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// recordEvents emits one Event per transition: a token written or revoked,
// a failure that was not already reported, a token that just expired.
// Messages come from the outcome's verdict and never hold a token value.
func (r *ApiTokenReconciler) recordEvents(tok *authv1alpha1.ApiToken, o policy.Outcome, status authv1alpha1.ApiTokenStatus) {
	if r.Recorder == nil {
		return
	}
	d := o.Reported()
	old := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady)
	switch {
	case d.Writes():
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, d.Reason, string(d.Action), "%s (revision %d)", d.Message, status.Revision)
	case d.Action == policy.ActionRevoke:
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, d.Reason, string(d.Action), "%s", d.Message)
	case d.Action == policy.ActionFail:
		if old == nil || old.Reason != d.Reason || tok.Status.TokenStatus != authv1alpha1.TokenStatusFailed {
			r.Recorder.Eventf(tok, nil, corev1.EventTypeWarning, d.Reason, "Reconcile", "%s", d.Message)
		}
	case status.TokenStatus == authv1alpha1.TokenStatusExpired && tok.Status.TokenStatus != authv1alpha1.TokenStatusExpired:
		r.Recorder.Eventf(tok, nil, corev1.EventTypeWarning, authv1alpha1.ReasonExpired, "Expire", "the token expired at %s", tokensecret.FormatTime(status.ExpirationDate.Time))
	}
}
