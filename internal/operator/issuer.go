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

package operator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
)

// Defaults of the issuer flags.
const (
	DefaultSigningKeyRotation = 720 * time.Hour
	DefaultSigningKeyOverlap  = 24 * time.Hour
	// DefaultSigningKeySecret names the key Secret in the operator's namespace.
	DefaultSigningKeySecret = "apitoken-operator-signing-keys"
	// maxJWKSMaxAge caps how long verifiers may cache the key set.
	maxJWKSMaxAge = time.Hour
)

// IssuerOptions configure the access-token issuer (the --issuer-* and
// --signing-key-* flags).
type IssuerOptions struct {
	// BindAddress is where the issuer listens; "" or "0" turns it off.
	BindAddress string
	// URL is the iss claim and the base of the published URLs: the https
	// URL clients reach.
	URL string
	// DefaultAudience is the aud of a token requested without audience;
	// empty means URL.
	DefaultAudience string
	// AllowedAudiences caps the audiences any ApiToken may list
	// (--issuer-allowed-audiences); empty: no cap.
	AllowedAudiences []string
	// PersonalAudiences are the only audiences of personal tokens
	// (--self-service-audiences); empty: the default audience.
	PersonalAudiences []string
	// Rotation is how long each signing key signs; Overlap how long a new
	// key is published before it signs.
	Rotation, Overlap time.Duration
	// Namespace and SecretName locate the key Secret.
	Namespace, SecretName string
}

// Enabled says whether the issuer is on.
func (o IssuerOptions) Enabled() bool { return o.BindAddress != "" && o.BindAddress != "0" }

// Validate checks the options of an enabled issuer and names the flag at
// fault. insecure allows an http issuer URL (--query-insecure).
func (o IssuerOptions) Validate(insecure bool) error {
	if !o.Enabled() {
		return nil
	}
	u, err := url.Parse(o.URL)
	switch {
	case o.URL == "":
		return errors.New("--issuer-url: required with --issuer-bind-address: the https URL clients reach the issuer at")
	case err != nil || !u.IsAbs() || u.Host == "":
		return fmt.Errorf("--issuer-url: %q is not an absolute URL", o.URL)
	case u.Scheme != "https" && (!insecure || u.Scheme != "http"):
		return fmt.Errorf("--issuer-url: %q must be https (http only with --query-insecure, for local development)", o.URL)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("--issuer-url: %q must have no query, fragment or user info (OpenID Connect Discovery)", o.URL)
	case o.Overlap < 0:
		return errors.New("--signing-key-overlap: must not be negative")
	case o.Rotation <= o.Overlap:
		return fmt.Errorf("--signing-key-rotation: %s must be longer than --signing-key-overlap %s", o.Rotation, o.Overlap)
	case o.Namespace == "":
		return errors.New("--signing-key-namespace: required (the operator's namespace could not be found)")
	}
	return nil
}

// setupIssuer binds the signing keys to the cache and adds their keeper
// (leader only); deps gets the minter and keys the issuer listener serves
// with (every replica).
func setupIssuer(ctx context.Context, mgr ctrl.Manager, deps *HTTPDeps, opts Options) error {
	o := opts.Issuer
	if err := o.Validate(opts.Query.Insecure); err != nil {
		return err
	}
	if o.SecretName == "" {
		o.SecretName = DefaultSigningKeySecret
	}
	keyCache, err := signing.NewKeyCache(mgr, o.Namespace, o.SecretName)
	if err != nil {
		return err
	}
	keys := &signing.Keys{Namespace: o.Namespace, Name: o.SecretName, Log: mgr.GetLogger().WithName("signing-keys")}
	if err := keys.Bind(ctx, keyCache); err != nil {
		return err
	}
	if err := (&signing.Keeper{
		Client: mgr.GetClient(), Cache: keyCache, Namespace: o.Namespace, Name: o.SecretName, Clock: clock.RealClock{},
		Recorder: mgr.GetEventRecorder(EventSource),
		Policy:   signing.Policy{Rotation: o.Rotation, Overlap: o.Overlap, MaxTokenTTL: authv1alpha1.MaxAccessTokenTTL},
	}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the signing key keeper: %w", err)
	}
	// The JWK Set is cacheable for half the overlap: a cached set is
	// refreshed at least once while a new key is published and not yet
	// signing, with room for the keeper's write to reach every replica.
	deps.Minter = &accesstoken.Issuer{URL: o.URL, DefaultAudience: o.DefaultAudience,
		AllowedAudiences: o.AllowedAudiences, PersonalAudiences: o.PersonalAudiences}
	deps.Keys, deps.JWKSMaxAge = keys, min(o.Overlap/2, maxJWKSMaxAge)
	return nil
}
