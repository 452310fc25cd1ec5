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
	"sigs.k8s.io/controller-runtime/pkg/event"
)

func TestOwnWritesDropOnlyTheEcho(t *testing.T) {
	secret := func(rv string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "s", ResourceVersion: rv}}
	}
	var o ownWrites
	p := o.notEcho()
	o.remember(secret("10"))
	steps := []struct {
		name string
		pass bool
		got  bool
	}{
		{"the echo of the write", false, p.Create(event.CreateEvent{Object: secret("10")})},
		{"the same version again (a resync)", true, p.Update(event.UpdateEvent{ObjectOld: secret("10"), ObjectNew: secret("10")})},
	}
	o.remember(secret("11"))
	steps = append(steps, struct {
		name string
		pass bool
		got  bool
	}{"someone else's change after the write", true, p.Update(event.UpdateEvent{ObjectOld: secret("11"), ObjectNew: secret("12")})})
	o.remember(secret("13"))
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
	if len(o.rv) != 0 {
		t.Errorf("%d writes remembered after the Secret was deleted, want none", len(o.rv))
	}
}
