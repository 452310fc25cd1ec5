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

package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// DefaultWait is --wait's default.
const DefaultWait = 30 * time.Second

// pollInterval is how often a wait reads the ApiToken again.
const pollInterval = 250 * time.Millisecond

// errFailed is a token the controller reports Failed: waiting longer
// changes nothing.
var errFailed = errors.New("failed")

// waitFor reads the ApiToken until done says it is there, for at most
// timeout (0: once, without waiting). done returns errFailed to stop.
// The error on timeout says what the token's state was.
func (c *clients) waitFor(ctx context.Context, name string, timeout time.Duration, want string, done func(*authv1alpha1.ApiToken) error) (*authv1alpha1.ApiToken, error) {
	var last *authv1alpha1.ApiToken
	var stop error
	cond := func(ctx context.Context) (bool, error) {
		tok := &authv1alpha1.ApiToken{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: c.namespace, Name: name}, tok); err != nil {
			return false, pollErr(ctx, describe(err, "get", apiTokens, c.namespace))
		}
		last = tok
		switch err := done(tok); {
		case err == nil:
			return true, nil
		case errors.Is(err, errFailed):
			stop = err
			return true, nil
		}
		return false, nil
	}
	if timeout <= 0 {
		_, err := cond(ctx)
		return last, err
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, cond)
	switch {
	case stop != nil:
		return last, fmt.Errorf("ApiToken %s/%s is %s: %s", c.namespace, name, last.Status.TokenStatus, readyMessage(last))
	case wait.Interrupted(err) && last != nil:
		return last, fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be %s: it is %s (%s); see: kubectl apitoken status %s -n %s",
			timeout, c.namespace, name, want, state(last, time.Now(), 0), readyMessage(last), name, c.namespace)
	case wait.Interrupted(err):
		return last, fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be %s", timeout, c.namespace, name, want)
	}
	return last, err
}

// pollErr is the wait's own end when its time is up (a read cut short by
// the deadline says nothing about the token), else err.
func pollErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	// client-go's rate limiter refuses a request that it would have to
	// delay past the deadline, before the deadline has passed.
	if _, has := ctx.Deadline(); has && strings.Contains(err.Error(), "would exceed context deadline") {
		return context.DeadlineExceeded
	}
	return err
}

// waitGone waits until the ApiToken is deleted.
func (c *clients) waitGone(ctx context.Context, name string, timeout time.Duration) error {
	if timeout <= 0 {
		return nil
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKey{Namespace: c.namespace, Name: name}, &authv1alpha1.ApiToken{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, pollErr(ctx, describe(err, "get", apiTokens, c.namespace))
	})
	if wait.Interrupted(err) {
		return fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be deleted: a finalizer may hold it; see: kubectl get apitoken %s -n %s -o yaml", timeout, c.namespace, name, name, c.namespace)
	}
	return err
}

// activeWith is done once the controller has made the token with this
// fingerprint Active (any fingerprint when hash is ""), at revision above
// after, and says errFailed once it reports it Failed or otherwise stuck.
func activeWith(hash string, after int64) func(*authv1alpha1.ApiToken) error {
	return func(tok *authv1alpha1.ApiToken) error {
		st := tok.Status
		current := st.ObservedGeneration >= tok.Generation
		switch {
		case current && st.TokenStatus == authv1alpha1.TokenStatusActive && (hash == "" || st.TokenHash == hash) && st.Revision > after:
			return nil
		case current && (st.TokenStatus == authv1alpha1.TokenStatusFailed || st.TokenStatus == authv1alpha1.TokenStatusRevoked || st.TokenStatus == authv1alpha1.TokenStatusExpired):
			return errFailed
		}
		return errors.New("not yet")
	}
}

// hasStatus is done once the controller reports s for the current generation.
func hasStatus(s authv1alpha1.TokenStatus) func(*authv1alpha1.ApiToken) error {
	return func(tok *authv1alpha1.ApiToken) error {
		if tok.Status.ObservedGeneration >= tok.Generation && tok.Status.TokenStatus == s {
			return nil
		}
		return errors.New("not yet")
	}
}

// readyMessage is the Ready condition's message, or a word when there is none.
func readyMessage(tok *authv1alpha1.ApiToken) string {
	if c := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady); c != nil && c.Message != "" {
		return c.Message
	}
	return "the controller has not reported on it yet: is the operator running?"
}
