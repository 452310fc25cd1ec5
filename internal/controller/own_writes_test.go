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
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

func TestOwnWritesDropOnlyTheEcho(t *testing.T) {
	secret := func(rv string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s", ResourceVersion: rv}}
	}
	key := types.NamespacedName{Namespace: "ns", Name: "s"}
	var o ownWrites[struct{}]
	p := o.notEcho()
	o.remember(key, "9", "10", struct{}{})
	steps := []struct {
		name string
		pass bool
		got  bool
	}{
		{"the echo of the write", false, p.Create(event.CreateEvent{Object: secret("10")})},
		{"the same version again (a resync)", true, p.Update(event.UpdateEvent{ObjectOld: secret("10"), ObjectNew: secret("10")})},
	}
	o.remember(key, "10", "11", struct{}{})
	steps = append(steps, struct {
		name string
		pass bool
		got  bool
	}{"someone else's change after the write", true, p.Update(event.UpdateEvent{ObjectOld: secret("11"), ObjectNew: secret("12")})})
	o.remember(key, "12", "13", struct{}{})
	steps = append(steps, struct {
		name string
		pass bool
		got  bool
	}{"a deletion", true, p.Delete(event.DeleteEvent{Object: secret("13")})})
	for _, s := range steps {
		if s.got != s.pass {
			t.Errorf("%s: passed = %v, want %v", s.name, s.got, s.pass)
		}
	}
	if len(o.m) != 0 {
		t.Errorf("%d writes remembered after the Secret was deleted, want none", len(o.m))
	}
}

// A reconcile that reads the version before its own status write takes the
// status as written; one that reads any other version forgets the write.
func TestOwnWritesStatusWhileTheCacheCatchesUp(t *testing.T) {
	key := types.NamespacedName{Namespace: "ns", Name: "t"}
	token := func(rv string) *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "t", ResourceVersion: rv}}
	}
	var o ownWrites[authv1alpha1.ApiTokenStatus]
	o.remember(key, "5", "6", authv1alpha1.ApiTokenStatus{Revision: 2})
	if st, after, ok := o.written(key, "5"); !ok || after != "6" || st.Revision != 2 {
		t.Fatalf("the cache still at the version before: written = %+v, %q, %v; want revision 2 at 6", st, after, ok)
	}
	o.observed(token("5"))
	if _, _, ok := o.written(key, "5"); !ok {
		t.Fatal("an event of the version before the write forgot the write")
	}
	o.observed(token("6"))
	if _, _, ok := o.written(key, "5"); ok {
		t.Fatal("the cache caught up (version 6), and the write is still applied")
	}
	o.remember(key, "6", "7", authv1alpha1.ApiTokenStatus{Revision: 3})
	if _, _, ok := o.written(key, "8"); ok {
		t.Fatal("someone else's change (version 8): the write must not apply")
	}
	if len(o.m) != 0 {
		t.Fatalf("%d writes remembered after a read of another version, want none", len(o.m))
	}
}
