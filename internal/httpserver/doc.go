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

// Package httpserver is what every listener of the operator shares:
// listeners with TLS and timeouts (NewServer), the filter chain of the
// query listener (BuildHandlerChain: synced, authentication, per-route
// authorization, body limit), the one authorization question (Access), the
// end client a request comes from and the guessing limiter's answers, and
// the JSON error writers. The APIs themselves live in a package each
// (queryapi, verifyapi, writeapi, issuer, sideband); internal/operator
// assembles their routes (routes.go).
package httpserver
