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

package selfservice

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// RegenerateRequest is POST /api/v1/tokens/{namespace}/{name}/regenerate.
type RegenerateRequest struct {
	// GracePeriod, when set, keeps the previous token valid this long (and
	// is kept in spec.rotation.gracePeriod for later rotations too).
	GracePeriod *time.Duration
}

// ParseRegenerate parses the optional body {"gracePeriod": "1h"}.
func ParseRegenerate(raw []byte) (RegenerateRequest, error) {
	var body struct {
		GracePeriod *string `json:"gracePeriod"`
	}
	if err := decode(raw, &body, `{"gracePeriod": "1h"} or nothing`, true); err != nil {
		return RegenerateRequest{}, err
	}
	if body.GracePeriod == nil {
		return RegenerateRequest{}, nil
	}
	if *body.GracePeriod == "" {
		return RegenerateRequest{}, fieldErr("gracePeriod", "is empty: use a Go duration such as \"1h\", or \"0s\" for none")
	}
	d, err := parseDuration("gracePeriod", body.GracePeriod, 0)
	if err != nil {
		return RegenerateRequest{}, err
	}
	return RegenerateRequest{GracePeriod: &d}, nil
}

// Regenerate asks for a new token: for a hash-only token, value becomes
// current; for a Secret-held one (value zero) the rotate annotation gets
// rotateID and the controller writes the new value into the Secret. A
// revoked token becomes valid again with its new value.
func (r RegenerateRequest) Regenerate(tok *authv1alpha1.ApiToken, value token.Value, rotateID string) {
	if r.GracePeriod != nil {
		if tok.Spec.Rotation == nil {
			tok.Spec.Rotation = &authv1alpha1.Rotation{}
		}
		tok.Spec.Rotation.GracePeriod = &metav1.Duration{Duration: *r.GracePeriod}
	}
	tok.Spec.Revoked = false
	if h := tok.Hashed(); h != nil {
		tok.Spec.Source.Hashed = hashedSource(value, h.Generate)
		return
	}
	if tok.Annotations == nil {
		tok.Annotations = map[string]string{}
	}
	tok.Annotations[authv1alpha1.RotateAnnotation] = rotateID
}

// GenerateSettings is how a regenerated value is drawn: the hash-only
// token's recorded settings, else the defaults.
func GenerateSettings(tok *authv1alpha1.ApiToken) authv1alpha1.GenerateSource {
	var g authv1alpha1.GenerateSource
	if h := tok.Hashed(); h != nil && h.Generate != nil {
		g = *h.Generate
	}
	return g.WithDefaults()
}

// ParseRevokeByValue parses POST /api/v1/tokens/revoke: {"token": "..."}.
// No error quotes the value.
func ParseRevokeByValue(raw []byte) (token.Value, error) {
	var body struct {
		Token *string `json:"token"`
	}
	if err := decode(raw, &body, `{"token": "<the leaked value>"}`, false); err != nil {
		return token.Value{}, err
	}
	switch {
	case body.Token == nil || *body.Token == "":
		return token.Value{}, fieldErr("token", "is required: the value to revoke")
	case len(*body.Token) > token.MaxBytes:
		return token.Value{}, fieldErr("token", "is longer than %d bytes", token.MaxBytes)
	}
	return token.NewValue([]byte(*body.Token)), nil
}
