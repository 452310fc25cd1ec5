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

// Package tombstone remembers, cluster-wide and across restarts, the
// fingerprints of revoked tokens for a retention period, so that a revoked
// value never verifies again under any ApiToken: not after its own
// ApiToken was deleted and another created with it. A fingerprint is
// written when the controller records a revocation (not at deletion: that
// needs no finalizer, and the tombstone is there before anyone can delete),
// and kept until retention after that.
//
// The tombstones live in Secrets of the operator's namespace (the operator
// may already write Secrets; no other permission is needed), sharded by
// the digest's first hex digit, each key a digest in hex and each value
// when it expires. Only the controller reads them, and only the leader runs
// the controller: the store is loaded once when this process starts
// leading, and kept in step by its own writes.
package tombstone

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// DefaultRetention is --revoked-retention's default.
const DefaultRetention = 90 * 24 * time.Hour

// Secret names and the label that finds them.
const (
	SecretPrefix   = "apitoken-operator-tombstones-"
	ComponentLabel = "app.kubernetes.io/component"
	ComponentValue = "tombstones"
)

// ErrNotLoaded is a question asked before the store has read its Secrets.
var ErrNotLoaded = errors.New("the revoked-token tombstones have not been read yet")

// Store is the set of tombstoned digests with their expiry.
type Store struct {
	Reader    client.Reader
	Writer    client.Writer
	Namespace string
	Retention time.Duration
	Clock     clock.PassiveClock

	mu     sync.RWMutex
	loaded bool
	until  map[tokensecret.Digest]time.Time
}

// NeedLeaderElection is true: only the leader reconciles, so only it reads and
// writes tombstones.
func (s *Store) NeedLeaderElection() bool { return true }

// Start loads the tombstones when this process starts leading.
func (s *Store) Start(ctx context.Context) error {
	var list corev1.SecretList
	if err := s.Reader.List(ctx, &list, client.InNamespace(s.Namespace), client.MatchingLabels{ComponentLabel: ComponentValue}); err != nil {
		return fmt.Errorf("reading the revoked-token tombstones: %w", err)
	}
	until := map[tokensecret.Digest]time.Time{}
	for i := range list.Items {
		for k, v := range list.Items[i].Data {
			if d, ok := parseKey(k); ok {
				t, err := time.Parse(time.RFC3339, string(v))
				if err == nil {
					until[d] = t
				}
			}
		}
	}
	s.mu.Lock()
	s.until, s.loaded = until, true
	s.mu.Unlock()
	return nil
}

// Has says whether the fingerprint fp is tombstoned now; ErrNotLoaded
// before the store has read its Secrets.
func (s *Store) Has(fp string) (bool, error) {
	if s == nil {
		return false, nil
	}
	d, ok := tokensecret.ParseDigest(fp)
	if !ok {
		return false, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.loaded {
		return false, ErrNotLoaded
	}
	t, ok := s.until[d]
	return ok && s.Clock.Now().Before(t), nil
}

// Add tombstones the fingerprints that are not yet, until Retention from
// now, and drops expired tombstones of the shards it writes.
func (s *Store) Add(ctx context.Context, fps ...string) error {
	if s == nil {
		return nil
	}
	now := s.Clock.Now()
	until := now.Add(s.Retention).Truncate(time.Second)
	shards := map[string]map[string]*string{}
	s.mu.RLock()
	if !s.loaded {
		s.mu.RUnlock()
		return ErrNotLoaded
	}
	for _, fp := range fps {
		d, ok := tokensecret.ParseDigest(fp)
		if !ok {
			continue
		}
		if t, held := s.until[d]; held && now.Before(t) {
			continue
		}
		key := hex.EncodeToString(d[:])
		shard := shards[key[:1]]
		if shard == nil {
			shard = map[string]*string{}
			shards[key[:1]] = shard
		}
		v := until.UTC().Format(time.RFC3339)
		shard[key] = &v
	}
	for d, t := range s.until {
		if len(shards) == 0 {
			break // nothing to write: expired ones go with the next write
		}
		if !now.Before(t) {
			key := hex.EncodeToString(d[:])
			if shard := shards[key[:1]]; shard != nil {
				if _, renewed := shard[key]; !renewed {
					shard[key] = nil
				}
			}
		}
	}
	s.mu.RUnlock()
	for shard, data := range shards {
		if err := s.write(ctx, shard, data); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, data := range shards {
		for key, v := range data {
			d, _ := parseKey(key)
			if v == nil {
				delete(s.until, d)
			} else {
				s.until[d] = until
			}
		}
	}
	return nil
}

// write merges data (nil values: removed) into the shard's Secret,
// creating it when it does not exist.
func (s *Store) write(ctx context.Context, shard string, data map[string]*string) error {
	key := types.NamespacedName{Namespace: s.Namespace, Name: SecretPrefix + shard}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name,
		Labels: map[string]string{"app.kubernetes.io/name": "apitoken-operator", ComponentLabel: ComponentValue}}, Type: corev1.SecretTypeOpaque}
	// stringData would be write-only; data wants base64, as JSON does.
	patch := map[string]map[string]*[]byte{"data": {}}
	for k, v := range data {
		if v == nil {
			patch["data"][k] = nil
			continue
		}
		b := []byte(*v)
		patch["data"][k] = &b
	}
	raw, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	err = s.Writer.Patch(ctx, secret, client.RawPatch(types.MergePatchType, raw))
	if apierrors.IsNotFound(err) {
		secret.Data = map[string][]byte{}
		for k, v := range data {
			if v != nil {
				secret.Data[k] = []byte(*v)
			}
		}
		err = s.Writer.Create(ctx, secret)
		if apierrors.IsAlreadyExists(err) {
			err = s.Writer.Patch(ctx, secret, client.RawPatch(types.MergePatchType, raw))
		}
	}
	if err != nil {
		return fmt.Errorf("writing revoked-token tombstones to Secret %s: %w", key, err)
	}
	return nil
}

func parseKey(k string) (tokensecret.Digest, bool) {
	var d tokensecret.Digest
	if len(k) != hex.EncodedLen(len(d)) {
		return d, false
	}
	_, err := hex.Decode(d[:], []byte(k))
	return d, err == nil
}
