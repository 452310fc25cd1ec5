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

package tombstone

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	testingclock "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/apitoken-io/apitoken-operator/internal/token"
)

func TestStoreRemembersAcrossRestartsUntilRetention(t *testing.T) {
	ctx := context.Background()
	clk := testingclock.NewFakeClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	c := fake.NewClientBuilder().Build()
	newStore := func() *Store {
		return &Store{Reader: c, Writer: c, Namespace: "ops", Retention: time.Hour, Clock: clk}
	}
	a, b := token.Fingerprint([]byte("value-a-0123456789abcdefghijklmn")), token.Fingerprint([]byte("value-b-0123456789abcdefghijklmn"))

	s := newStore()
	if _, err := s.Has(a); !errors.Is(err, ErrNotLoaded) {
		t.Fatalf("before Start: %v, want ErrNotLoaded", err)
	}
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, a, "not a fingerprint"); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.Has(a); !has {
		t.Fatal("a tombstone added is not had")
	}
	if has, _ := s.Has(b); has {
		t.Fatal("another fingerprint is had")
	}

	again := newStore()
	if err := again.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if has, _ := again.Has(a); !has {
		t.Fatal("a restarted store forgot the tombstone")
	}
	var list corev1.SecretList
	if err := c.List(ctx, &list, client.InNamespace("ops")); err != nil || len(list.Items) != 1 || !strings.HasPrefix(list.Items[0].Name, SecretPrefix) {
		t.Fatalf("tombstone Secrets: %v %v", list.Items, err)
	}

	clk.Step(time.Hour)
	if has, _ := again.Has(a); has {
		t.Fatal("a tombstone outlived its retention")
	}
	// The next write to its shard drops it; a write elsewhere leaves it.
	if err := again.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	if has, _ := again.Has(a); !has {
		t.Fatal("a fingerprint revoked again is not had again")
	}
}
