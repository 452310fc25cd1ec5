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

package status

import (
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/printers"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// report is status's text, in the way cmctl describes a Certificate.
type report struct {
	now    time.Time
	window time.Duration
}

func (r report) print(w io.Writer, tok *authv1alpha1.ApiToken, events []corev1.Event, eventsErr error) error {
	st := tok.Status
	p := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-14s"+format+"\n", append([]any{label + ":"}, args...)...)
	}
	p("Name", "%s", tok.Name)
	p("Namespace", "%s", tok.Namespace)
	p("Created at", "%s", r.date(&tok.CreationTimestamp))
	p("Type", "%s", tok.Spec.Type)
	p("Principal", "%s", tok.Spec.Principal)
	if tok.Spec.DisplayName != "" {
		p("Display name", "%s", tok.Spec.DisplayName)
	}
	if tok.Spec.Description != "" {
		p("Description", "%s", tok.Spec.Description)
	}
	p("Scopes", "%s", printing.OrNone(strings.Join(tok.Spec.Scopes, ", ")))
	if tok.Hashed() != nil {
		p("Held", "hash-only: the cluster holds only its fingerprint %s (value ending %q)", printing.OrNone(st.TokenHash), st.TokenLastChars)
	} else {
		secret := st.SecretName
		if secret == "" {
			secret = tok.SecretName()
		}
		p("Held", "in Secret %q, key %q", secret, tok.SecretKey())
	}
	p("State", "%s", r.state(tok))
	p("Revision", "%d", st.Revision)
	if st.CreationDate != nil {
		p("Issued", "%s", r.date(st.CreationDate))
	}
	if st.ExpirationDate != nil {
		p("Expires", "%s", r.date(st.ExpirationDate))
	} else {
		p("Expires", "never")
	}
	if st.RenewalTime != nil {
		p("Renews", "%s (rotation.renewBefore)", r.date(st.RenewalTime))
	}
	switch {
	case st.PreviousTokenExpirationDate != nil && st.PreviousTokenExpirationDate.After(r.now):
		p("Grace period", "the previous value works until %s", r.date(st.PreviousTokenExpirationDate))
	case tok.GracePeriod() > 0:
		p("Grace period", "%s after each rotation; no previous value now", flags.FormatDays(tok.GracePeriod()))
	default:
		p("Grace period", "none")
	}
	if st.LastUsedDate != nil {
		p("Last used", "%s", r.date(st.LastUsedDate))
	} else {
		p("Last used", "never")
	}
	if c := meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionPolicyCompliant); c != nil {
		if len(st.PolicyViolations()) == 0 {
			p("Policies", "compliant with every ApiTokenPolicy that governs it")
		}
		for _, v := range st.PolicyViolations() {
			p("Policies", "ApiTokenPolicy %s (%s): %s", v.Policy, v.Enforcement, v.Message)
		}
		if c.Status == metav1.ConditionFalse && strings.HasSuffix(c.Message, "it does not verify until it complies") {
			p("What to do", "it does not verify until it complies: change the token, or ask who owns the policy")
		}
	}
	if c := meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionReady); c != nil {
		p("Ready", "%s (%s): %s", c.Status, c.Reason, c.Message)
		if hint := whatToDo(tok, c.Reason); hint != "" {
			p("What to do", "%s", hint)
		}
	} else {
		p("Ready", "not reported yet: is the operator running?")
	}
	return r.events(w, events, eventsErr)
}

func (r report) events(w io.Writer, events []corev1.Event, err error) error {
	switch {
	case err != nil:
		_, err = fmt.Fprintf(w, "Events:       not shown: %v\n", err)
		return err
	case len(events) == 0:
		_, err = fmt.Fprintln(w, "Events:       <none>")
		return err
	}
	fmt.Fprintln(w, "Events:")
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "  TYPE\tREASON\tAGE\tFROM\tMESSAGE")
	for i := range events {
		e := &events[i]
		from := e.Source.Component
		if from == "" {
			from = e.ReportingController
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", e.Type, e.Reason, duration.HumanDuration(r.now.Sub(eventTime(e))), from, clierrors.OneLine(e.Message))
	}
	return tw.Flush()
}

// date is absolute and relative: "2027-01-02T08:00:00Z (in 29d)".
func (r report) date(t *metav1.Time) string {
	return fmt.Sprintf("%s (%s)", t.UTC().Format(time.RFC3339), printing.Relative(t.Time, r.now))
}

// state says the lifecycle state in words.
func (r report) state(tok *authv1alpha1.ApiToken) string {
	s := printing.State(tok, r.now, r.window)
	switch s {
	case string(authv1alpha1.TokenStatusActive):
		return "Active: the token is valid"
	case printing.StatusExpiringSoon:
		return fmt.Sprintf("ExpiringSoon: the token is valid and expires %s: regenerate it before then", printing.Relative(tok.Status.ExpirationDate.Time, r.now))
	case string(authv1alpha1.TokenStatusPending):
		return "Pending: the operator has not made the token valid yet"
	case string(authv1alpha1.TokenStatusExpired):
		return "Expired: the token no longer verifies"
	case string(authv1alpha1.TokenStatusRevoked):
		return "Revoked: the token no longer verifies"
	default:
		return s + ": the token does not verify"
	}
}

// whatToDo is the next step for a Ready reason, in commands.
func whatToDo(tok *authv1alpha1.ApiToken, reason string) string {
	regenerate := "kubectl apitoken regenerate " + tok.Name + " -n " + tok.Namespace
	switch reason {
	case authv1alpha1.ReasonExpired, authv1alpha1.ReasonRevoked, authv1alpha1.ReasonRevokedTokenReused:
		return "make it valid again with a new value: " + regenerate
	case authv1alpha1.ReasonDuplicateToken:
		return "another ApiToken already holds this value: give this one a new value: " + regenerate
	case authv1alpha1.ReasonSecretConflict:
		return fmt.Sprintf("Secret %q exists and is not this token's: delete it, or point spec.secret.name elsewhere", tok.SecretName())
	case authv1alpha1.ReasonSourceNotFound:
		return "create the source Secret and key, or fix spec.source.import.secretRef"
	case authv1alpha1.ReasonInvalidImport:
		return "store a value of the expected format in the source Secret, or set spec.source.import.pattern"
	case authv1alpha1.ReasonSecretRejected:
		return "fix spec.secret.labels or spec.secret.annotations so that the API server accepts the Secret"
	}
	return ""
}
