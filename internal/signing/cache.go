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
	"fmt"

	"k8s.io/apimachinery/pkg/fields"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
)

// NewKeyCache is an informer cache of the key Secret alone (its namespace,
// its name): every replica's Keys and the leader's Keeper read it. The
// manager's Secret cache, which anyone who may label a Secret can reach,
// keeps no data of a Secret that names no ApiToken, so the keys come from
// here. The cache starts with the manager's other caches.
func NewKeyCache(mgr ctrl.Manager, namespace, name string) (cache.Cache, error) {
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient:           mgr.GetHTTPClient(),
		Scheme:               mgr.GetScheme(),
		Mapper:               mgr.GetRESTMapper(),
		DefaultNamespaces:    map[string]cache.Config{namespace: {}},
		DefaultFieldSelector: fields.OneTermEqualSelector("metadata.name", name),
	})
	if err != nil {
		return nil, fmt.Errorf("creating the signing key cache: %w", err)
	}
	if err := mgr.Add(runnableCache{c}); err != nil {
		return nil, fmt.Errorf("adding the signing key cache: %w", err)
	}
	return c, nil
}

// runnableCache puts the cache in the manager's group of caches, started
// (on every replica) before the servers and controllers that read it.
type runnableCache struct{ cache.Cache }

func (c runnableCache) GetCache() cache.Cache { return c.Cache }
