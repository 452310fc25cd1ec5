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
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
)

// retire carries out policy.FormerSecret: the Secret a retargeted ApiToken
// wrote before is deleted (Delete) or stripped of the token (Retain). It
// runs before status moves to the new Secret, so that a failure is retried
// while status still names the old one.
func (r *ApiTokenReconciler) retire(ctx context.Context, in policy.Input) error {
	ret := policy.FormerSecret(in)
	if ret.Secret == nil {
		return nil
	}
	s := ret.Secret
	key := client.ObjectKeyFromObject(s)
	var err error
	if ret.Delete {
		pre := s.ResourceVersion
		err = r.Client.Delete(ctx, s, &client.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &pre}})
	} else {
		err = r.Client.Patch(ctx, ret.Keep, client.MergeFromWithOptions(s, client.MergeFromWithOptimisticLock{}))
	}
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("retiring the former Secret %s: %w", key, err)
	}
	r.secretWrites.forget(key)
	logf.FromContext(ctx).Info("Retired the former Secret", "secret", key, "deleted", ret.Delete)
	if r.Recorder != nil {
		how := "deleted it (deletionPolicy Delete)"
		if !ret.Delete {
			how = "removed the token from it and left the rest (deletionPolicy Retain)"
		}
		r.Recorder.Eventf(in.Token, nil, corev1.EventTypeNormal, authv1alpha1.ReasonRetargeted, "Retarget",
			"spec.secret.name no longer names Secret %q: %s; its token no longer verifies", s.Name, how)
	}
	return nil
}
