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

// ownWrites remembers the resourceVersion of each Secret this process last
// wrote, so that the watch event of that very write does not cost a
// reconcile: the reconcile that wrote it has done everything already. Any
// other change (someone editing or tampering with the Secret) has another
// resourceVersion and is reconciled as before. It holds at most one entry
// per managed Secret.
type ownWrites struct {
	mu sync.Mutex
	rv map[types.NamespacedName]string
}

func (o *ownWrites) remember(obj client.Object) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rv == nil {
		o.rv = map[types.NamespacedName]string{}
	}
	o.rv[client.ObjectKeyFromObject(obj)] = obj.GetResourceVersion()
}

// echo says whether obj is the Secret exactly as this process wrote it, and
// forgets the write: it is reported once.
func (o *ownWrites) echo(obj client.Object) bool {
	key := client.ObjectKeyFromObject(obj)
	o.mu.Lock()
	defer o.mu.Unlock()
	rv, ok := o.rv[key]
	if ok && rv == obj.GetResourceVersion() {
		delete(o.rv, key)
		return true
	}
	return false
}

func (o *ownWrites) forget(obj client.Object) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.rv, client.ObjectKeyFromObject(obj))
}

// notEcho lets every Secret event through but the echo of this process's
// own writes.
func (o *ownWrites) notEcho() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(e event.CreateEvent) bool { return !o.echo(e.Object) },
		UpdateFunc: func(e event.UpdateEvent) bool { return !o.echo(e.ObjectNew) },
		DeleteFunc: func(e event.DeleteEvent) bool { o.forget(e.Object); return true },
	}
}
