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

package tokensecret

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// How the cache stores a sealed Secret. A Go map costs a fixed table
// whatever it holds: a data map of one or two sealed values is about 400
// bytes, while the annotation map every managed Secret has (owner, hash,
// issue time, revision, mark) has room to spare in its table. Pack moves the
// sealed values into the annotations, under keys no Secret from the API
// server can have (an annotation key must be a qualified name: never NUL),
// and drops the data map; Unpacked gives back the sealed Secret Seal made,
// which is what everything that reads a managed Secret from the cache gets
// (the controller's gather, the verify index), so patches are computed
// between two Secrets of the same shape as before.
const (
	// packedMark marks a packed Secret (even one whose data was empty).
	packedMark = "\x00sealed"
	// packedPrefix begins the annotation key of each sealed data value.
	packedPrefix = packedMark + "/"
)

// PackedDefaultKey is where Pack keeps the sealed value of the default
// data key (the cache transform shares it among Secrets as it shares the
// other annotation keys).
const PackedDefaultKey = packedPrefix + authv1alpha1.DefaultSecretKey

// Pack stores a sealed Secret (Seal) the way the cache keeps it: its sealed
// values in its annotations, no data map. Anything else passes unchanged.
// Pack changes s in place, like Seal.
func Pack(s *corev1.Secret) {
	if !IsSealed(s) {
		return
	}
	if s.Annotations == nil {
		s.Annotations = make(map[string]string, len(s.Data))
	}
	for k, v := range s.Data {
		if k != sealedKey {
			s.Annotations[packedPrefix+k] = string(v)
		}
	}
	s.Annotations[packedMark] = ""
	s.Data = nil
}

// IsPacked says whether s is the cache's packed copy.
func IsPacked(s *corev1.Secret) bool {
	_, ok := s.Annotations[packedMark]
	return ok
}

// Unpacked is the sealed Secret a packed one (Pack) was made from; s itself
// when it is not packed. The copy has maps of its own for data and
// annotations and shares everything else with s, which stays as it is.
func Unpacked(s *corev1.Secret) *corev1.Secret {
	if !IsPacked(s) {
		return s
	}
	out := *s
	unpackInto(&out)
	return &out
}

// Unpack is Unpacked in place, for a Secret the caller owns (a copy the
// cache handed out).
func Unpack(s *corev1.Secret) {
	if IsPacked(s) {
		unpackInto(s)
	}
}

// unpackInto gives s data and annotation maps of its own, unpacked from
// its packed annotations.
func unpackInto(s *corev1.Secret) {
	data := map[string][]byte{sealedKey: nil}
	annotations := make(map[string]string, len(s.Annotations))
	for k, v := range s.Annotations {
		switch {
		case k == packedMark:
		case strings.HasPrefix(k, packedPrefix):
			var b []byte // an empty value was sealed as nil (token.Seal)
			if v != "" {
				b = []byte(v)
			}
			data[k[len(packedPrefix):]] = b
		default:
			annotations[k] = v
		}
	}
	s.Data, s.Annotations = data, annotations
	if len(annotations) == 0 {
		s.Annotations = nil
	}
}
