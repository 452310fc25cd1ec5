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

package signing

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// TokenType is the JOSE typ of an access token (RFC 9068).
const TokenType = "at+jwt"

// Keys is what every replica signs and publishes with: the key set of the
// Secret in its informer cache, parsed once per change of the Secret.
type Keys struct {
	// Namespace and Name locate the key Secret.
	Namespace, Name string
	Log             logr.Logger

	set atomic.Pointer[loaded]
}

// loaded is one parse of the Secret.
type loaded struct {
	keys    KeySet
	signers []jose.Signer // parallel to keys
	jwks    []byte
}

// Bind follows the key Secret in the cache (its informer holds the managed
// Secrets; the key Secret carries the managed-by label) on every replica.
func (k *Keys) Bind(ctx context.Context, c cache.Informers) error {
	inf, err := c.GetInformer(ctx, &corev1.Secret{})
	if err != nil {
		return fmt.Errorf("getting the Secret informer for the signing keys: %w", err)
	}
	mine := func(obj any) (*corev1.Secret, bool) {
		if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		s, ok := obj.(*corev1.Secret)
		return s, ok && s.Namespace == k.Namespace && s.Name == k.Name
	}
	_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if s, ok := mine(obj); ok {
				k.Load(s.Data)
			}
		},
		UpdateFunc: func(_, obj any) {
			if s, ok := mine(obj); ok {
				k.Load(s.Data)
			}
		},
		DeleteFunc: func(obj any) {
			if _, ok := mine(obj); ok {
				k.set.Store(nil)
			}
		},
	})
	return err
}

// Load replaces the keys with those of a key Secret's data. A set that does
// not parse leaves no key to sign with: the keeper replaces it.
func (k *Keys) Load(data map[string][]byte) {
	ks, err := Parse(data)
	if err != nil {
		k.Log.Error(err, "The signing key Secret does not hold a valid key set; access tokens cannot be issued until the leader replaces it",
			"secret", k.Namespace+"/"+k.Name)
		k.set.Store(nil)
		return
	}
	l, err := load(ks)
	if err != nil {
		k.Log.Error(err, "Failed to load the signing keys", "secret", k.Namespace+"/"+k.Name)
		k.set.Store(nil)
		return
	}
	k.set.Store(l)
}

func load(ks KeySet) (*loaded, error) {
	l := &loaded{keys: ks, signers: make([]jose.Signer, len(ks))}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(ks))}
	for i := range ks {
		key := &ks[i]
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: key.Algorithm,
			Key: jose.JSONWebKey{Key: key.private, KeyID: key.ID, Algorithm: string(key.Algorithm)}},
			(&jose.SignerOptions{}).WithType(TokenType))
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", key.ID, err)
		}
		l.signers[i] = s
		set.Keys[i] = jose.JSONWebKey{Key: key.Public(), KeyID: key.ID, Algorithm: string(key.Algorithm), Use: "sig"}
	}
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encoding the JWK set: %w", err)
	}
	l.jwks = raw
	return l, nil
}

// Signer returns the signer of the key that signs at now, and that key's
// id; false when there is none yet.
func (k *Keys) Signer(now time.Time) (jose.Signer, string, bool) {
	l := k.set.Load()
	if l == nil {
		return nil, "", false
	}
	i := l.keys.Signing(now)
	if i < 0 {
		return nil, "", false
	}
	return l.signers[i], l.keys[i].ID, true
}

// Verify checks a compact JWS against the published keys (the one its
// header's kid names, with this package's algorithm) and returns its
// payload; false for anything else. It is how the issuer knows an access
// token is its own (introspection, revocation).
func (k *Keys) Verify(compact string) ([]byte, bool) {
	l := k.set.Load()
	if l == nil {
		return nil, false
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{Algorithm})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, false
	}
	kid := jws.Signatures[0].Header.KeyID
	for i := range l.keys {
		if l.keys[i].ID == kid {
			payload, err := jws.Verify(l.keys[i].Public())
			return payload, err == nil
		}
	}
	return nil, false
}

// JWKS is the public keys as a JWK Set document: every key of the Secret,
// the next one (published before it signs) and the retired ones (until
// their tokens expire) included; nil when there is none.
func (k *Keys) JWKS() []byte {
	if l := k.set.Load(); l != nil {
		return l.jwks
	}
	return nil
}

// SigningKeyAge is how long the key that signs at now has signed.
func (k *Keys) SigningKeyAge(now time.Time) (time.Duration, bool) {
	l := k.set.Load()
	if l == nil {
		return 0, false
	}
	i := l.keys.Signing(now)
	if i < 0 {
		return 0, false
	}
	return now.Sub(l.keys[i].SignFrom), true
}
