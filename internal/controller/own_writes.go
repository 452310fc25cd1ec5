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
	"sync"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// ownWrites remembers, per object, this process's last write to it: the
// resourceVersion the object had before the write and after it, and what
// it wrote (W). One pattern, two uses:
//   - the watch event of a Secret this process wrote needs no reconcile,
//     since the reconcile that wrote it has done everything already (echo,
//     notEcho);
//   - a reconcile that still reads from the cache the ApiToken as it was
//     before this process's status write (the watch event of the write has
//     not arrived yet) takes it as written (written): the status and its
//     resourceVersion, so that it neither writes the same status again nor
//     fails the optimistic lock of its next write.
//
// Any other change gives the object a new resourceVersion, and the memo no
// longer applies; it holds at most one entry per object, dropped once the
// cache has caught up (observed, echo) or the object is gone (forget).
type ownWrites[W any] struct {
	mu sync.Mutex
	m  map[types.NamespacedName]ownWrite[W]
}

type ownWrite[W any] struct {
	before, after string
	wrote         W
}

// remember records a write that took the object from resourceVersion
// before to after.
func (o *ownWrites[W]) remember(key types.NamespacedName, before, after string, wrote W) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[types.NamespacedName]ownWrite[W]{}
	}
	o.m[key] = ownWrite[W]{before: before, after: after, wrote: wrote}
}

// echo says whether the object at resourceVersion rv is exactly this
// process's last write, and forgets the write: it is reported once.
func (o *ownWrites[W]) echo(key types.NamespacedName, rv string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if w, ok := o.m[key]; ok && w.after == rv {
		delete(o.m, key)
		return true
	}
	return false
}

// written is what this process last wrote and the resourceVersion after
// the write, when the object read (at rv) is still the version before it;
// a read of any other version forgets the write.
func (o *ownWrites[W]) written(key types.NamespacedName, rv string) (wrote W, after string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	w, found := o.m[key]
	switch {
	case !found:
	case w.before == rv:
		return w.wrote, w.after, true
	default:
		delete(o.m, key)
	}
	return wrote, "", false
}

// observed forgets the write once the cache holds a version of the object
// other than the one before it (the write arrived through the watch), so
// that entries do not outlive the short window they are for.
func (o *ownWrites[W]) observed(obj client.Object) {
	key := client.ObjectKeyFromObject(obj)
	o.mu.Lock()
	defer o.mu.Unlock()
	if w, ok := o.m[key]; ok && w.before != obj.GetResourceVersion() {
		delete(o.m, key)
	}
}

func (o *ownWrites[W]) forget(key types.NamespacedName) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, key)
}

// notEcho lets every event through but the echo of this process's own
// writes.
func (o *ownWrites[W]) notEcho() predicate.Predicate {
	echo := func(obj client.Object) bool { return o.echo(client.ObjectKeyFromObject(obj), obj.GetResourceVersion()) }
	return predicate.Funcs{
		CreateFunc: func(e event.CreateEvent) bool { return !echo(e.Object) },
		UpdateFunc: func(e event.UpdateEvent) bool { return !echo(e.ObjectNew) },
		DeleteFunc: func(e event.DeleteEvent) bool { o.forget(client.ObjectKeyFromObject(e.Object)); return true },
	}
}
