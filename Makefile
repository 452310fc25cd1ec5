# Image URL to use all building/pushing image targets
IMG ?= ghcr.io/apitoken-io/apitoken-operator:latest

# Kubernetes version of the envtest control plane (kube-apiserver + etcd).
ENVTEST_K8S_VERSION ?= 1.37.1
ENVTEST_ETCD_VERSION ?= v3.6.6

# Get the currently used golang install path (in GOPATH/bin, unless GOBIN is set)
ifeq (,$(shell go env GOBIN))
GOBIN=$(shell go env GOPATH)/bin
else
GOBIN=$(shell go env GOBIN)
endif

# CONTAINER_TOOL defines the container tool to be used for building images.
CONTAINER_TOOL ?= docker

# The operator is pure Go and ships as a static binary (distroless/static):
# build, vet and test it the same way, so that they share one build cache.
export CGO_ENABLED ?= 0

# Setting SHELL to bash allows bash commands to be executed by recipes.
# Options are set to exit when a recipe line exits non-zero or a piped command fails.
SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen crd-ref-docs ## Generate CRDs, RBAC (ClusterRole), the CRD reference (docs/reference/api.md) from the Go markers and the flag reference (docs/reference/flags.md).
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths="./..." output:crd:artifacts:config=config/crd/bases
	@# The Helm chart renders these same files; copying keeps them identical.
	cp config/crd/bases/*.yaml charts/apitoken-operator/files/crds/
	cp config/rbac/role.yaml charts/apitoken-operator/files/rbac/role.yaml
	cp config/admission/import_consent_policy.yaml charts/apitoken-operator/files/admission/import_consent_policy.yaml
	cp config/admission/personal_tokens_policy.yaml charts/apitoken-operator/files/admission/personal_tokens_policy.yaml
	@# The CRD reference, from the same Go types (hack/crd-ref-docs).
	$(CRD_REF_DOCS) --source-path=./api/v1alpha1 --config=hack/crd-ref-docs/config.yaml --renderer=markdown \
		--templates-dir=hack/crd-ref-docs/templates --output-path=docs/reference/api.md --log-level=WARN
	@# The flag reference, from the flags the binary registers (hack/flagdoc).
	go run ./hack/flagdoc docs/reference/flags.md

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: ## Run go fmt against code.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet against code.
	go vet ./...

# ENVTEST_ASSETS prints the directory of kube-apiserver and etcd (downloading
# them, or building them from Go module source once); WITH_ENVTEST prefixes a
# command with KUBEBUILDER_ASSETS set to it.
ENVTEST_ASSETS = SETUP_ENVTEST=$(ENVTEST) ENVTEST_K8S_VERSION=$(ENVTEST_K8S_VERSION) ENVTEST_ETCD_VERSION=$(ENVTEST_ETCD_VERSION) hack/setup-envtest.sh
WITH_ENVTEST = KUBEBUILDER_ASSETS="$$($(ENVTEST_ASSETS))"

.PHONY: envtest-assets
envtest-assets: setup-envtest ## Get kube-apiserver and etcd for envtest (downloads, or builds them from Go module source once) and print their directory.
	@$(ENVTEST_ASSETS)

.PHONY: lint
lint: golangci-lint ## Run golangci-lint (.golangci.yml: the kubebuilder baseline plus ginkgolinter, importas, nolintlint, gci).
	$(GOLANGCI_LINT) run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint and apply the fixes it can.
	$(GOLANGCI_LINT) run --fix

.PHONY: test
test: manifests generate fmt vet setup-envtest helm kustomize ## Run unit tests, the envtest suites (real kube-apiserver and etcd), the chart and installer tests.
	$(WITH_ENVTEST) HELM="$(HELM)" KUSTOMIZE="$(KUSTOMIZE)" go test ./... -coverprofile cover.out

.PHONY: console-screenshots
console-screenshots: setup-envtest ## Regenerate docs/console/*.png: the console's browser tests (headless Chromium) write what a person sees.
	mkdir -p docs/console
	$(WITH_ENVTEST) CONSOLE_SCREENSHOTS="$(CURDIR)/docs/console" go test ./test/httpapi -run TestHTTPAPI -ginkgo.focus 'Web console' -count=1

.PHONY: bench
bench: setup-envtest ## Run the benchmarks (query read model and handler at 10k/100k tokens, and at 100k while 100 and 1,000 rows change a second; the API-server list a user would do instead; verification in process, over HTTP and over TLS with Kubernetes auth; the first and cached query of a caller with rights in 100 of 1,000 namespaces; self-service creates from 20 callers; token exchanges and introspections over TLS, signing and offline verification per core; forward auth and the verify endpoint driven by wrk beside a minimal TLS handler, when wrk is installed; one metrics scrape of 10k/100k tokens); figures go to docs/benchmarks.md by hand.
	$(WITH_ENVTEST) go test ./internal/query ./internal/verify ./test/httpapi ./internal/metrics -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 30m
	go test ./internal/verify -run '^$$' -bench 'Verify$$' -cpu 1 -benchmem -benchtime $(BENCHTIME)
	go test ./internal/accesstoken -run '^$$' -bench . -cpu 1 -benchmem -benchtime $(BENCHTIME)

BENCHTIME ?= 2s

.PHONY: bench-e2e
bench-e2e: setup-envtest ## Benchmark the running manager against envtest: issuing 1,000 and 5,000 tokens vs a plain client's ceiling, writes per token, heap per token, resync traffic, expiry precision, and a restart on 100,000 converged tokens (SCALE_TOKENS).
	$(WITH_ENVTEST) go test ./test/scale -run '^$$' -bench . -benchtime 1x -timeout 120m -v

.PHONY: bench-e2e-restart
bench-e2e-restart: setup-envtest ## Only the restart profile: a manager started on SCALE_TOKENS (default 100,000) converged tokens, half Secret-held: ready time, first-pass writes, heap per token and its peak while starting; then the binary as a process under each container memory limit of SCALE_MEMORY_LIMIT (default 256Mi,512Mi; SCALE_ETCD_DIR keeps the fixtures): ready time, RSS and its peak, query p99 while 1,000 changes a second are written.
	$(WITH_ENVTEST) go test ./test/scale -run '^$$' -bench Restart -benchtime 1x -timeout 120m -v

# Each fuzz target with its package; make test runs their seed corpora.
FUZZ_TARGETS = ./api/v1alpha1:FuzzDurationSchema ./internal/token:FuzzImportRule \
	./internal/query:FuzzParseList ./internal/query:FuzzParseBody \
	./internal/verifyapi:FuzzParseVerifyBody ./internal/httpserver:FuzzPresentedToken
FUZZTIME ?= 1m

.PHONY: fuzz
fuzz: ## Fuzz each target for FUZZTIME (default 1m): CRD durations, import rules, query parsers, verify body and header parsers.
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "== $$fn ($$pkg, $(FUZZTIME))"; \
		go test $$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) || exit 1; done

.PHONY: verify-generated
verify-generated: manifests generate ## Fail if generated files differ from what is committed.
	@git diff --exit-code -- api config charts docs/reference/api.md docs/reference/flags.md || { echo "generated files are out of date: run 'make manifests generate' and commit" >&2; exit 1; }

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager binary.
	go build -o bin/manager ./cmd

# The plugin's version, stamped into kubectl-apitoken version.
PLUGIN_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: plugin
plugin: ## Build the kubectl plugin into bin/ (kubectl-apitoken and its completion shim): put bin/ on the PATH and run kubectl apitoken.
	CGO_ENABLED=0 go build -ldflags "-X github.com/apitoken-io/apitoken-operator/internal/cli.version=$(PLUGIN_VERSION)" -o bin/kubectl-apitoken ./cmd/kubectl-apitoken
	cp cmd/kubectl-apitoken/kubectl_complete-apitoken bin/kubectl_complete-apitoken

.PHONY: plugin-release
plugin-release: ## Build kubectl-apitoken archives for each release platform into $(DIST)/plugin and render the krew manifest (plugins/krew/apitoken.yaml) with their sha256; VERSION=v0.3.0.
	VERSION=$(or $(VERSION),$(PLUGIN_VERSION)) OUT=$(DIST)/plugin hack/plugin-release.sh

.PHONY: dev
dev: manifests setup-envtest ## Try it with nothing but Go: a local kube-apiserver and etcd, the CRDs, the samples, and the operator in the foreground (Ctrl-C stops all).
	$(WITH_ENVTEST) go run ./cmd/dev --kubeconfig-out bin/dev/kubeconfig --query-bind-address 127.0.0.1:8082

.PHONY: run
run: manifests generate fmt vet install ## Install the CRDs into the current kubeconfig's cluster and run the controller from your host.
	go run ./cmd --leader-elect=false --metrics-bind-address=:8080 --metrics-secure=false --health-probe-bind-address=:8081 \
		--query-bind-address=:8082 --query-insecure --query-auth=none

# Where build-installer writes install.yaml.
DIST ?= dist

.PHONY: build-installer
build-installer: manifests generate kustomize ## Write $(DIST)/install.yaml (namespace, CRD, RBAC, Deployment, Services) for kubectl apply -f, with image IMG.
	@# A throwaway overlay sets the image, so that config/ is never edited.
	@rm -rf config/.installer && mkdir -p config/.installer $(DIST)
	@printf 'resources:\n- ../default\n' > config/.installer/kustomization.yaml
	@cd config/.installer && $(KUSTOMIZE) edit set image ghcr.io/apitoken-io/apitoken-operator=$(IMG)
	@{ $(KUSTOMIZE) build config/.installer; echo '---'; cat config/rbac/query_reader_role.yaml; echo '---'; cat config/rbac/verifier_role.yaml; echo '---'; cat config/rbac/self_service_role.yaml; echo '---'; cat config/rbac/personal_tokens_role.yaml; } > $(DIST)/install.yaml
	@rm -rf config/.installer
	@echo "wrote $(DIST)/install.yaml (image $(IMG))"

.PHONY: docker-build
docker-build: ## Build the container image.
	$(CONTAINER_TOOL) build -t ${IMG} .

.PHONY: docker-push
docker-push: ## Push the container image.
	$(CONTAINER_TOOL) push ${IMG}

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests ## Install CRDs into the cluster of the current kubeconfig.
	kubectl apply --server-side -k config/crd

.PHONY: uninstall
uninstall: manifests ## Uninstall CRDs from the cluster of the current kubeconfig.
	kubectl delete --ignore-not-found=$(ignore-not-found) -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the controller to the cluster of the current kubeconfig.
	kubectl apply --server-side -k config/default
	kubectl apply --server-side -f config/rbac/query_reader_role.yaml -f config/rbac/verifier_role.yaml -f config/rbac/self_service_role.yaml -f config/rbac/personal_tokens_role.yaml

.PHONY: undeploy
undeploy: ## Undeploy the controller from the cluster of the current kubeconfig.
	kubectl delete --ignore-not-found=$(ignore-not-found) -f config/rbac/query_reader_role.yaml -f config/rbac/verifier_role.yaml -f config/rbac/self_service_role.yaml -f config/rbac/personal_tokens_role.yaml
	kubectl delete --ignore-not-found=$(ignore-not-found) -k config/default

##@ Dependencies

## Location to install dependencies to
LOCALBIN ?= $(shell pwd)/bin
$(LOCALBIN):
	mkdir -p $(LOCALBIN)

## Tool Binaries
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
ENVTEST ?= $(LOCALBIN)/setup-envtest
KUSTOMIZE ?= $(LOCALBIN)/kustomize
HELM ?= $(LOCALBIN)/helm
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint
CRD_REF_DOCS ?= $(LOCALBIN)/crd-ref-docs

## Tool Versions
CONTROLLER_TOOLS_VERSION ?= v0.23.0
ENVTEST_VERSION ?= v0.25.1
KUSTOMIZE_VERSION ?= v5.8.2
HELM_VERSION ?= v3.22.0
GOLANGCI_LINT_VERSION ?= v2.15.0
CRD_REF_DOCS_VERSION ?= v0.3.0

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Download controller-gen locally if necessary.
$(CONTROLLER_GEN): $(LOCALBIN)
	$(call go-install-tool,$(CONTROLLER_GEN),sigs.k8s.io/controller-tools/cmd/controller-gen,$(CONTROLLER_TOOLS_VERSION))

.PHONY: setup-envtest
setup-envtest: $(ENVTEST) ## Download setup-envtest locally if necessary.
$(ENVTEST): $(LOCALBIN)
	$(call go-install-tool,$(ENVTEST),sigs.k8s.io/controller-runtime/tools/setup-envtest,$(ENVTEST_VERSION))

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Download kustomize locally if necessary.
$(KUSTOMIZE): $(LOCALBIN)
	$(call go-install-tool,$(KUSTOMIZE),sigs.k8s.io/kustomize/kustomize/v5,$(KUSTOMIZE_VERSION))

.PHONY: helm
helm: $(HELM) ## Build helm from the Go module proxy into bin/ if necessary.
$(HELM): $(LOCALBIN)
	$(call go-install-tool,$(HELM),helm.sh/helm/v3/cmd/helm,$(HELM_VERSION))

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint from the Go module proxy into bin/ if necessary.
$(GOLANGCI_LINT): $(LOCALBIN)
	$(call go-install-tool,$(GOLANGCI_LINT),github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION))

.PHONY: crd-ref-docs
crd-ref-docs: $(CRD_REF_DOCS) ## Build crd-ref-docs (the CRD reference generator) from the Go module proxy into bin/ if necessary.
$(CRD_REF_DOCS): $(LOCALBIN)
	$(call go-install-tool,$(CRD_REF_DOCS),github.com/elastic/crd-ref-docs,$(CRD_REF_DOCS_VERSION))

# go-install-tool will 'go install' any package with custom target and name of binary, if it doesn't exist
# $1 - target path with name of binary
# $2 - package url which can be installed
# $3 - specific version of package
define go-install-tool
@[ -f "$(1)-$(3)" ] && [ "$$(readlink -- "$(1)" 2>/dev/null)" = "$(1)-$(3)" ] || { \
set -e; \
package=$(2)@$(3) ;\
echo "Downloading $${package}" ;\
rm -f "$(1)" ;\
GOBIN="$(LOCALBIN)" go install $${package} ;\
mv "$(LOCALBIN)/$$(basename "$(1)")" "$(1)-$(3)" ;\
} ;\
ln -sf "$$(realpath "$(1)-$(3)")" "$(1)"
endef
