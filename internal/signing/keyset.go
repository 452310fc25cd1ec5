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

// Package signing holds the issuer's signing keys: their format in the one
// Secret that stores them, the pure rule of when a key is added, signs,
// retires and is dropped, the leader's keeper that writes that Secret, and
// the reader every replica signs and publishes from. A private key leaves
// this package only as a go-jose signer: never in a log, an event, a metric
// or a response.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DataKey is the Secret data key that holds the key set.
const DataKey = "keys.json"

// Algorithm is the JWS algorithm every key signs with.
const Algorithm = jose.ES256

// Key is one signing key. SignFrom is when it starts signing; it signs until
// the next key's SignFrom, and stays published after that until every token
// it signed has expired.
type Key struct {
	ID        string
	Algorithm jose.SignatureAlgorithm
	Created   time.Time
	SignFrom  time.Time
	private   *ecdsa.PrivateKey
}

// Public is the key's public half.
func (k *Key) Public() crypto.PublicKey { return k.private.Public() }

// KeySet is every key the Secret holds, ordered by SignFrom.
type KeySet []Key

// storedKey is a Key in the Secret: the private key as PKCS #8 PEM.
type storedKey struct {
	ID         string    `json:"kid"`
	Algorithm  string    `json:"alg"`
	Created    time.Time `json:"created"`
	SignFrom   time.Time `json:"signFrom"`
	PrivateKey string    `json:"privateKey"`
}

type storedSet struct {
	Keys []storedKey `json:"keys"`
}

// NewKey generates an ES256 key that signs from signFrom. Its ID is its
// RFC 7638 thumbprint.
func NewKey(now, signFrom time.Time) (Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("generating a signing key: %w", err)
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return Key{}, err
	}
	return Key{ID: kid, Algorithm: Algorithm, Created: now.UTC(), SignFrom: signFrom.UTC(), private: priv}, nil
}

func thumbprint(pub *ecdsa.PublicKey) (string, error) {
	sum, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("computing a key id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// Parse reads the key set from a Secret's data. Errors name what is wrong,
// never the key material.
func Parse(data map[string][]byte) (KeySet, error) {
	raw, ok := data[DataKey]
	if !ok {
		return nil, fmt.Errorf("data[%s]: missing", DataKey)
	}
	var stored storedSet
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, fmt.Errorf("data[%s]: not a key set document", DataKey)
	}
	if len(stored.Keys) == 0 {
		return nil, fmt.Errorf("data[%s]: keys: empty", DataKey)
	}
	out := make(KeySet, 0, len(stored.Keys))
	for i, s := range stored.Keys {
		k, err := parseKey(s)
		if err != nil {
			return nil, fmt.Errorf("data[%s]: keys[%d]: %w", DataKey, i, err)
		}
		out = append(out, k)
	}
	out.sort()
	return out, nil
}

func parseKey(s storedKey) (Key, error) {
	if s.Algorithm != string(Algorithm) {
		return Key{}, fmt.Errorf("alg: %q is not supported (only %s)", s.Algorithm, Algorithm)
	}
	block, _ := pem.Decode([]byte(s.PrivateKey))
	if block == nil || block.Type != "PRIVATE KEY" {
		return Key{}, errors.New("privateKey: not a PKCS #8 PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, errors.New("privateKey: not a PKCS #8 private key")
	}
	priv, ok := parsed.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return Key{}, errors.New("privateKey: not a P-256 ECDSA key")
	}
	kid, err := thumbprint(&priv.PublicKey)
	if err != nil {
		return Key{}, err
	}
	if s.ID != kid {
		return Key{}, errors.New("kid: not the key's thumbprint")
	}
	if s.SignFrom.IsZero() {
		return Key{}, errors.New("signFrom: missing")
	}
	return Key{ID: kid, Algorithm: Algorithm, Created: s.Created, SignFrom: s.SignFrom, private: priv}, nil
}

// Data is the key set as Secret data.
func (ks KeySet) Data() (map[string][]byte, error) {
	stored := storedSet{Keys: make([]storedKey, 0, len(ks))}
	for _, k := range ks {
		der, err := x509.MarshalPKCS8PrivateKey(k.private)
		if err != nil {
			return nil, fmt.Errorf("encoding signing key %s: %w", k.ID, err)
		}
		stored.Keys = append(stored.Keys, storedKey{ID: k.ID, Algorithm: string(k.Algorithm), Created: k.Created, SignFrom: k.SignFrom,
			PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		return nil, fmt.Errorf("encoding the key set: %w", err)
	}
	return map[string][]byte{DataKey: raw}, nil
}

func (ks KeySet) sort() {
	slices.SortStableFunc(ks, func(a, b Key) int { return a.SignFrom.Compare(b.SignFrom) })
}

// Signing is the index of the key that signs at now: the last whose SignFrom
// has come; -1 when none has.
func (ks KeySet) Signing(now time.Time) int {
	at := -1
	for i := range ks {
		if !ks[i].SignFrom.After(now) {
			at = i
		}
	}
	return at
}
