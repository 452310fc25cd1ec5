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

package writeapi

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// tokenRefusal is a write's answer when the ApiToken, as it is now, does not
// allow the change: the status and the message the caller gets
// (writeFailed writes it).
type tokenRefusal struct {
	status int
	msg    string
}

func (e *tokenRefusal) Error() string { return e.msg }

// UpdateToken applies change to tok, read from the API server, and writes
// it. A write that conflicts with another (most often the controller's
// status write at the end of a grace period, which moves the
// resourceVersion but not the token) reads the ApiToken again and lets
// change decide again on what it has become: a caller sees 409 only when
// change refuses the token's new state (another rotation, a revocation),
// never because an unrelated write landed first. The ApiToken must stay
// the same object (its UID): one deleted and re-created under the name is
// not found.
func (s *API) UpdateToken(ctx context.Context, tok *authv1alpha1.ApiToken, change func(*authv1alpha1.ApiToken) error) error {
	uid, key := tok.UID, client.ObjectKeyFromObject(tok)
	read := true
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if !read {
			fresh := &authv1alpha1.ApiToken{}
			if err := s.Reader.Get(ctx, key, fresh); err != nil {
				return err
			}
			if fresh.UID != uid {
				return apierrors.NewNotFound(authv1alpha1.GroupVersion.WithResource("apitokens").GroupResource(), key.Name)
			}
			*tok = *fresh
		}
		read = false
		if err := change(tok); err != nil {
			return err
		}
		// Unwrapped: writeFailed passes the API server's message through.
		return s.Writer.Update(ctx, tok)
	})
}
