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

package controller_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// The fault specs check the invariants users rely on after crashes,
// conflicts, tampering and outages: every ApiToken ends Active with exactly
// one Secret whose token its status describes, no revision of a Secret ever
// held two different tokens (no token issued twice), and no Secret is left
// without its ApiToken.

// revisionWatch records, from a watch on a namespace's Secrets, every token
// value each (Secret, revision) has held. It re-watches when the API server
// closes the watch (as it does on a restart).
type revisionWatch struct {
	mu   sync.Mutex
	seen map[string]map[string]bool // "name@revision" -> fingerprints
}

func watchRevisions(ctx context.Context, ns string) *revisionWatch {
	w := &revisionWatch{seen: map[string]map[string]bool{}}
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(ctx)
	DeferCleanup(cancel)
	go func() {
		defer GinkgoRecover()
		for ctx.Err() == nil {
			watcher, err := wc.Watch(ctx, &corev1.SecretList{}, client.InNamespace(ns))
			if err != nil {
				time.Sleep(100 * time.Millisecond) // the API server is down: try again
				continue
			}
			for ev := range watcher.ResultChan() {
				if s, ok := ev.Object.(*corev1.Secret); ok && ev.Type != watch.Deleted {
					w.record(s)
				}
			}
			watcher.Stop()
		}
	}()
	return w
}

func (w *revisionWatch) record(s *corev1.Secret) {
	// The specs' tokens are named after their Secrets and use the default key.
	st := tokensecret.Read(testutil.MakeApiToken(s.Namespace, s.Name).Obj(), s)
	if st.Revision == 0 || st.Current.IsZero() {
		return
	}
	key := s.Name + "@" + strconv.FormatInt(st.Revision, 10)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[key] == nil {
		w.seen[key] = map[string]bool{}
	}
	w.seen[key][token.Fingerprint(s.Data["token"])] = true
}

// twice lists the Secret revisions that held more than one token.
func (w *revisionWatch) twice() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for k, fps := range w.seen {
		if len(fps) > 1 {
			out = append(out, fmt.Sprintf("%s held %d tokens", k, len(fps)))
		}
	}
	return out
}

func (w *revisionWatch) observed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen)
}

func createTokens(ctx context.Context, ns string, n int, build func(*testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper) []string {
	GinkgoHelper()
	names := make([]string, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			defer GinkgoRecover()
			for i := range work {
				names[i] = fmt.Sprintf("t-%03d", i)
				Expect(k8sClient.Create(ctx, build(testutil.MakeApiToken(ns, names[i])).Obj())).To(Succeed())
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return names
}

func managedSecrets(ctx context.Context, ns string) (map[string]string, error) {
	return testutil.ManagedSecrets(ctx, k8sClient, ns)
}

// expectConverged waits until testutil.Converged holds for ns.
func expectConverged(ctx context.Context, ns string, minRevision int64, timeout time.Duration) {
	GinkgoHelper()
	Eventually(func() error { return testutil.Converged(ctx, k8sClient, ns, minRevision) }, timeout, 200*time.Millisecond).Should(Succeed())
}

// killProcessWithArg sends SIGKILL to the process whose command line
// contains arg (the envtest kube-apiserver, by its certificate directory).
func killProcessWithArg(arg string) int {
	GinkgoHelper()
	entries, err := os.ReadDir("/proc")
	Expect(err).NotTo(HaveOccurred())
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), "kube-apiserver") || !strings.Contains(string(cmdline), arg) {
			continue
		}
		Expect(syscall.Kill(pid, syscall.SIGKILL)).To(Succeed())
		return pid
	}
	Fail("no kube-apiserver process found with " + arg)
	return 0
}

var _ = Describe("Faults", func() {
	var ns string
	BeforeEach(func(ctx context.Context) { ns = newNamespace(ctx) })

	It("survives repeated manager crashes while 300 tokens are issued: none issued twice, none lost, no orphans", func(ctx context.Context) {
		mgr.stop()
		restarted := false
		DeferCleanup(func() {
			if !restarted {
				mgr = startManager()
			}
		})
		revisions := watchRevisions(ctx, ns)
		names := createTokens(ctx, ns, 300, func(w *testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper { return w.TTL(time.Hour) })

		seenBeforeCrash := map[string]string{}
		for crash, progress := range []int{20, 70, 130, 190, 250} {
			m := startManager()
			Eventually(func() (int, error) {
				s, err := managedSecrets(ctx, ns)
				return len(s), err
			}, 30*time.Second, 5*time.Millisecond).Should(BeNumerically(">=", progress))
			m.stop() // cancel the manager's context mid-issuance
			s, err := managedSecrets(ctx, ns)
			Expect(err).NotTo(HaveOccurred())
			GinkgoWriter.Printf("crash %d: %d Secrets written\n", crash+1, len(s))
			for name, fp := range s {
				seenBeforeCrash[name] = fp
			}
		}

		mgr, restarted = startManager(), true
		expectConverged(ctx, ns, 1, time.Minute)
		after, err := managedSecrets(ctx, ns)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(HaveLen(len(names)), "exactly one Secret per ApiToken")
		for name, fp := range seenBeforeCrash {
			Expect(after[name]).To(Equal(fp), "the token in %s seen before a crash is unchanged", name)
		}
		for _, name := range names {
			Expect(getToken(ctx, ns, name).Status.Revision).To(Equal(int64(1)), "%s was issued once", name)
		}
		Expect(revisions.twice()).To(BeEmpty())
		Expect(revisions.observed()).To(BeNumerically(">=", len(names)), "the watch saw every Secret")
	})

	It("ends correct while another writer keeps changing the ApiTokens' labels and annotations", func(ctx context.Context) {
		revisions := watchRevisions(ctx, ns)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		names := make([]string, 100)
		for i := range names {
			names[i] = fmt.Sprintf("t-%03d", i)
		}
		wg.Go(func() {
			for round := 0; ; round++ {
				for _, name := range names {
					select {
					case <-stop:
						return
					default:
					}
					patch := fmt.Sprintf(`{"metadata":{"labels":{"touched":"%d"},"annotations":{"example.com/touched":"%d"}}}`, round, round)
					// Before it exists, or racing it: the writer does not care.
					_ = k8sClient.Patch(ctx, &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}, client.RawPatch("application/merge-patch+json", []byte(patch)))
				}
			}
		})
		DeferCleanup(func() { close(stop); wg.Wait() })

		createTokens(ctx, ns, len(names), func(w *testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper { return w.TTL(time.Hour) })
		expectConverged(ctx, ns, 1, time.Minute)
		for _, name := range names {
			annotateRotate(ctx, getToken(ctx, ns, name), "1")
		}
		expectConverged(ctx, ns, 2, time.Minute)
		Expect(revisions.twice()).To(BeEmpty())
	})

	It("repairs 100 Secrets deleted or edited at once", func(ctx context.Context) {
		names := createTokens(ctx, ns, 100, func(w *testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper { return w.TTL(time.Hour) })
		expectConverged(ctx, ns, 1, time.Minute)
		before, err := managedSecrets(ctx, ns)
		Expect(err).NotTo(HaveOccurred())

		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				defer GinkgoRecover()
				s := getSecret(ctx, ns, name)
				if i%2 == 0 {
					Expect(k8sClient.Delete(ctx, s)).To(Succeed())
					return
				}
				s.Data["token"] = []byte(fmt.Sprintf("tampered-%03d-0123456789abcdef", i))
				Expect(k8sClient.Update(ctx, s)).To(Succeed())
			})
		}
		wg.Wait()

		expectConverged(ctx, ns, 1, time.Minute)
		after, err := managedSecrets(ctx, ns)
		Expect(err).NotTo(HaveOccurred())
		Expect(after).To(HaveLen(len(names)))
		for i, name := range names {
			Expect(after[name]).NotTo(Equal(before[name]), "%s holds a new token", name)
			Expect(after[name]).NotTo(Equal(token.Fingerprint([]byte(fmt.Sprintf("tampered-%03d-0123456789abcdef", i)))), "%s was repaired", name)
		}
	})

	It("never lets two managers without leader election leave two valid tokens for one ApiToken", func(ctx context.Context) {
		mgr.stop()
		a, b := startManagerWith(managerOptions{}, "0"), startManagerWith(managerOptions{}, "0")
		DeferCleanup(func() { a.stop(); b.stop(); mgr = startManager() })
		revisions := watchRevisions(ctx, ns)

		names := createTokens(ctx, ns, 100, func(w *testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper { return w.TTL(time.Hour) })
		expectConverged(ctx, ns, 1, time.Minute)
		for _, name := range names {
			annotateRotate(ctx, getToken(ctx, ns, name), "1")
		}
		expectConverged(ctx, ns, 2, time.Minute)
		for _, name := range names {
			Expect(getToken(ctx, ns, name).Status.Revision).To(Equal(int64(2)), "%s: one issue and one rotation, whichever manager wrote them", name)
		}
		Expect(a.writes.inNamespace(ns) + b.writes.inNamespace(ns)).To(BeNumerically(">", 0))
		Expect(revisions.twice()).To(BeEmpty(), "each Secret revision held one token")
	})

	It("recovers from a kube-apiserver restart without restarting and without issuing twice", func(ctx context.Context) {
		revisions := watchRevisions(ctx, ns)
		first := createTokens(ctx, ns, 50, func(w *testutil.ApiTokenWrapper) *testutil.ApiTokenWrapper { return w.TTL(time.Hour) })
		expectConverged(ctx, ns, 1, time.Minute)

		By("killing kube-apiserver (SIGKILL) and starting it again on the same port and certificates")
		apiServer := testEnv.ControlPlane.GetAPIServer()
		pid := killProcessWithArg(apiServer.CertDir)
		Eventually(func() error { _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); return err }, 10*time.Second).Should(MatchError(os.ErrNotExist), "reaped")
		Expect(apiServer.Stop()).To(Succeed())
		Expect(apiServer.Start()).To(Succeed())

		for _, name := range first {
			annotateRotate(ctx, getToken(ctx, ns, name), "1")
		}
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "after-restart").TTL(time.Hour).Obj())).To(Succeed())
		expectConverged(ctx, ns, 1, time.Minute)
		for _, name := range first {
			Expect(getToken(ctx, ns, name).Status.Revision).To(Equal(int64(2)), name)
		}
		Expect(getToken(ctx, ns, "after-restart").Status.Revision).To(Equal(int64(1)))
		Expect(mgr.done).NotTo(BeClosed(), "the manager kept running")
		Expect(revisions.twice()).To(BeEmpty())
	})
})
