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

// Package waiting is how the plugin's commands wait for the operator: read
// the ApiToken until it is in the state the command asked for, or gone, and
// say what it was doing when the time is up.
package waiting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// DefaultTimeout is --wait's default.
const DefaultTimeout = 30 * time.Second

// pollInterval is how often a wait reads the ApiToken again.
const pollInterval = 250 * time.Millisecond

// ErrFailed is a token the controller reports Failed: waiting longer
// changes nothing.
var ErrFailed = errors.New("failed")

// For reads the ApiToken until done says it is there, for at most
// timeout (0: once, without waiting). done returns ErrFailed to stop.
// The error on timeout says what the token's state was.
func For(ctx context.Context, c *factory.Clients, name string, timeout time.Duration, want string, done func(*authv1alpha1.ApiToken) error) (*authv1alpha1.ApiToken, error) {
	var last *authv1alpha1.ApiToken
	var stop error
	cond := func(ctx context.Context) (bool, error) {
		tok := &authv1alpha1.ApiToken{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: name}, tok); err != nil {
			return false, pollErr(ctx, clierrors.Describe(err, "get", factory.ApiTokensResource, c.Namespace))
		}
		last = tok
		switch err := done(tok); {
		case err == nil:
			return true, nil
		case errors.Is(err, ErrFailed):
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
		return last, fmt.Errorf("ApiToken %s/%s is %s: %s", c.Namespace, name, last.Status.TokenStatus, printing.ReadyMessage(last))
	case wait.Interrupted(err) && last != nil:
		return last, fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be %s: it is %s (%s); see: kubectl apitoken status %s -n %s",
			timeout, c.Namespace, name, want, printing.State(last, time.Now(), 0), printing.ReadyMessage(last), name, c.Namespace)
	case wait.Interrupted(err):
		return last, fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be %s", timeout, c.Namespace, name, want)
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

// Gone waits until the ApiToken is deleted.
func Gone(ctx context.Context, c *factory.Clients, name string, timeout time.Duration) error {
	if timeout <= 0 {
		return nil
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		err := c.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: name}, &authv1alpha1.ApiToken{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return false, pollErr(ctx, clierrors.Describe(err, "get", factory.ApiTokensResource, c.Namespace))
	})
	if wait.Interrupted(err) {
		return fmt.Errorf("timed out after %s waiting for ApiToken %s/%s to be deleted: a finalizer may hold it; see: kubectl get apitoken %s -n %s -o yaml", timeout, c.Namespace, name, name, c.Namespace)
	}
	return err
}

// ActiveWith is done once the controller has made the token with this
// fingerprint Active (any fingerprint when hash is ""), at revision above
// after, and says ErrFailed once it reports it Failed or otherwise stuck.
func ActiveWith(hash string, after int64) func(*authv1alpha1.ApiToken) error {
	return func(tok *authv1alpha1.ApiToken) error {
		st := tok.Status
		current := st.ObservedGeneration >= tok.Generation
		switch {
		case current && st.TokenStatus == authv1alpha1.TokenStatusActive && (hash == "" || st.TokenHash == hash) && st.Revision > after:
			return nil
		case current && (st.TokenStatus == authv1alpha1.TokenStatusFailed || st.TokenStatus == authv1alpha1.TokenStatusRevoked || st.TokenStatus == authv1alpha1.TokenStatusExpired):
			return ErrFailed
		}
		return errors.New("not yet")
	}
}

// HasStatus is done once the controller reports s for the current generation.
func HasStatus(s authv1alpha1.TokenStatus) func(*authv1alpha1.ApiToken) error {
	return func(tok *authv1alpha1.ApiToken) error {
		if tok.Status.ObservedGeneration >= tok.Generation && tok.Status.TokenStatus == s {
			return nil
		}
		return errors.New("not yet")
	}
}
