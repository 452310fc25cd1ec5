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

package httpapi_test

import (
	"encoding/json"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("The OpenAPI document", func() {
	It("is served at /openapi.json without credentials", func() {
		code, body := call(http.MethodGet, "/openapi.json", "", "")
		Expect(code).To(Equal(http.StatusOK), body)
		var doc struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		Expect(json.Unmarshal([]byte(body), &doc)).To(Succeed())
		Expect(doc.OpenAPI).To(Equal("3.1.0"))
		Expect(doc.Paths).To(HaveKey("/openapi.json"))
	})
})
