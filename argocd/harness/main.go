// Command harness runs the CanaryRelease customizations the way Argo CD does: argocd-cm is read
// through Argo CD's settings manager, health through gitops-engine with the Lua overrides, and
// actions through Argo CD's util/lua discovery and execution, with the default Lua sandbox (no
// open libraries).
//
//	harness test <argocd-cm.yaml> <customization dir>   run health_test.yaml and action_test.yaml
//	harness health <argocd-cm.yaml> <object.yaml|->     print the health Argo CD would show
//	harness action <argocd-cm.yaml> <name> <object.yaml|-> print the patch Argo CD would apply
//	harness diff <argocd-cm.yaml> <application.yaml> <git.yaml> <live.yaml|->
//	    whether Argo CD would show the live object OutOfSync with Git, under the Application's
//	    ignoreDifferences (exit 0: in sync, 3: out of sync, with the fields that differ)
//	harness sync <argocd-cm.yaml> <application.yaml> <git.yaml> <live.yaml|->
//	    print the object Argo CD's sync would apply for git.yaml, under the Application's
//	    ignoreDifferences and sync options (RespectIgnoreDifferences=true)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	argodiff "github.com/argoproj/argo-cd/v3/util/argo/diff"
	"github.com/argoproj/argo-cd/v3/util/argo/normalizers"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/argoproj/gitops-engine/pkg/diff"
	"github.com/argoproj/gitops-engine/pkg/health"
	jsonpatch "github.com/evanphx/json-patch"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

const namespace = "argocd"

func main() {
	if len(os.Args) < 3 {
		fail("usage: harness test|health|action <argocd-cm.yaml> ...")
	}
	overrides := loadOverrides(os.Args[2])
	vm := lua.VM{ResourceOverrides: overrides}
	switch os.Args[1] {
	case "test":
		need(4)
		failures := runHealthTests(overrides, os.Args[3]) + runActionTests(vm, os.Args[3])
		if failures > 0 {
			fail(fmt.Sprintf("%d test(s) failed", failures))
		}
		fmt.Println("all Argo CD customization tests passed")
	case "health":
		need(4)
		obj := readObject(os.Args[3])
		status, err := health.GetResourceHealth(obj, lua.ResourceHealthOverrides(overrides))
		check(err)
		printJSON(status)
	case "action":
		need(5)
		obj := readObject(os.Args[4])
		patch, err := applyAction(vm, obj, os.Args[3])
		check(err)
		fmt.Println(string(patch))
	case "diff":
		need(6)
		inSync, detail := compare(overrides, os.Args[3], os.Args[4], os.Args[5])
		if !inSync {
			fmt.Println("OutOfSync: " + detail)
			os.Exit(3)
		}
		fmt.Println("Synced")
	case "sync":
		need(6)
		fmt.Println(string(syncTarget(overrides, os.Args[3], os.Args[4], os.Args[5])))
	default:
		fail("unknown command " + os.Args[1])
	}
}

// loadOverrides reads argocd-cm through Argo CD's own settings manager, as the application
// controller and the API server do.
func loadOverrides(path string) map[string]v1alpha1.ResourceOverride {
	var cm corev1.ConfigMap
	data, err := os.ReadFile(path)
	check(err)
	check(yaml.Unmarshal(data, &cm))
	cm.Namespace = namespace
	client := fake.NewSimpleClientset(&cm, &corev1.Secret{})
	mgr := settings.NewSettingsManager(context.Background(), client, namespace)
	overrides, err := mgr.GetResourceOverrides()
	check(err)
	return overrides
}

type healthTests struct {
	Tests []struct {
		InputPath    string              `json:"inputPath"`
		HealthStatus health.HealthStatus `json:"healthStatus"`
	} `json:"tests"`
}

func runHealthTests(overrides map[string]v1alpha1.ResourceOverride, dir string) int {
	var tests healthTests
	readYAML(filepath.Join(dir, "health_test.yaml"), &tests)
	failures := 0
	for _, t := range tests.Tests {
		obj := readObject(filepath.Join(dir, t.InputPath))
		got, err := health.GetResourceHealth(obj, lua.ResourceHealthOverrides(overrides))
		switch {
		case err != nil:
			failures += report("health "+t.InputPath, err.Error())
		case got == nil || *got != t.HealthStatus:
			failures += report("health "+t.InputPath, fmt.Sprintf("want %+v, got %+v", t.HealthStatus, got))
		default:
			fmt.Printf("ok   health %s: %s\n", t.InputPath, got.Status)
		}
	}
	return failures
}

type actionTests struct {
	DiscoveryTests []struct {
		InputPath string `json:"inputPath"`
		Result    []struct {
			Name     string `json:"name"`
			Disabled bool   `json:"disabled"`
		} `json:"result"`
	} `json:"discoveryTests"`
	ActionTests []struct {
		Action             string `json:"action"`
		InputPath          string `json:"inputPath"`
		ExpectedOutputPath string `json:"expectedOutputPath"`
	} `json:"actionTests"`
}

func runActionTests(vm lua.VM, dir string) int {
	actionsDir := filepath.Join(dir, "actions")
	var tests actionTests
	readYAML(filepath.Join(actionsDir, "action_test.yaml"), &tests)
	failures := 0
	for _, t := range tests.DiscoveryTests {
		obj := readObject(filepath.Join(actionsDir, t.InputPath))
		scripts, err := vm.GetResourceActionDiscovery(obj)
		check(err)
		found, err := vm.ExecuteResourceActionDiscovery(obj, scripts)
		if err != nil {
			failures += report("discovery "+t.InputPath, err.Error())
			continue
		}
		got := map[string]bool{}
		for _, a := range found {
			got[a.Name] = a.Disabled
		}
		want := map[string]bool{}
		for _, a := range t.Result {
			want[a.Name] = a.Disabled
		}
		if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
			failures += report("discovery "+t.InputPath, fmt.Sprintf("want %v, got %v", sorted(want), sorted(got)))
			continue
		}
		fmt.Printf("ok   discovery %s\n", t.InputPath)
	}
	for _, t := range tests.ActionTests {
		name := "action " + t.Action + " " + t.InputPath
		obj := readObject(filepath.Join(actionsDir, t.InputPath))
		action, err := vm.GetResourceAction(obj, t.Action)
		if err != nil {
			failures += report(name, err.Error())
			continue
		}
		impacted, err := vm.ExecuteResourceAction(obj, action.ActionLua, nil)
		if err != nil || len(impacted) != 1 {
			failures += report(name, fmt.Sprintf("%v (%d objects)", err, len(impacted)))
			continue
		}
		expected := readObject(filepath.Join(actionsDir, t.ExpectedOutputPath))
		result, err := diff.Diff(expected, impacted[0].UnstructuredObj)
		check(err)
		if result.Modified {
			failures += report(name, "output differs from "+t.ExpectedOutputPath+":\n"+string(result.PredictedLive))
			continue
		}
		fmt.Printf("ok   %s\n", name)
	}
	return failures
}

// compare diffs Git against live the way Argo CD's comparison does, with the Application's
// ignoreDifferences turned into Argo CD's own ignore normalizer.
func compare(overrides map[string]v1alpha1.ResourceOverride, appPath, gitPath, livePath string) (bool, string) {
	var app v1alpha1.Application
	readYAML(appPath, &app)
	normalizer, err := normalizers.NewIgnoreNormalizer(app.Spec.IgnoreDifferences, overrides, normalizers.IgnoreNormalizerOpts{})
	check(err)
	git := readObject(gitPath)
	live := readObject(livePath)
	git.SetNamespace(live.GetNamespace())
	result, err := diff.Diff(git, live, diff.WithNormalizer(normalizer))
	check(err)
	if !result.Modified {
		return true, ""
	}
	return false, fmt.Sprintf("normalized live %s\nnormalized Git %s", result.NormalizedLive, result.PredictedLive)
}

// syncTarget returns what Argo CD's sync applies for the Git manifest. With
// RespectIgnoreDifferences=true the application controller (controller/sync.go,
// normalizeTargetResources, at the pinned version) normalizes Git and live with Argo CD's own
// diff normalization, takes the patch that normalization made to live, and applies it to the
// normalized Git object, so the ignored fields keep their live values. That function is
// unexported: these lines follow it step by step for a custom resource (a kind the client's
// scheme does not know), where both patches are JSON merge patches and so an array holding an
// ignored field is carried over from live whole, the caveat the example Application documents.
func syncTarget(overrides map[string]v1alpha1.ResourceOverride, appPath, gitPath, livePath string) []byte {
	var app v1alpha1.Application
	readYAML(appPath, &app)
	git := readObject(gitPath)
	live := readObject(livePath)
	git.SetNamespace(live.GetNamespace())
	if app.Spec.SyncPolicy == nil || !app.Spec.SyncPolicy.SyncOptions.HasOption("RespectIgnoreDifferences=true") {
		out, err := git.MarshalJSON()
		check(err)
		return out
	}
	if _, err := scheme.Scheme.New(git.GroupVersionKind()); err == nil {
		fail("sync: only custom resources are emulated (a built-in kind takes a strategic merge patch)")
	}
	config, err := argodiff.NewDiffConfigBuilder().
		WithDiffSettings(app.Spec.IgnoreDifferences, overrides, false, normalizers.IgnoreNormalizerOpts{}).
		WithNoCache().
		Build()
	check(err)
	normalized, err := argodiff.Normalize([]*unstructured.Unstructured{live}, []*unstructured.Unstructured{git}, config)
	check(err)
	normalizedLive, err := normalized.Lives[0].MarshalJSON()
	check(err)
	liveJSON, err := live.MarshalJSON()
	check(err)
	livePatch, err := jsonpatch.CreateMergePatch(normalizedLive, liveJSON)
	check(err)
	target, err := normalized.Targets[0].MarshalJSON()
	check(err)
	out, err := jsonpatch.MergePatch(target, livePatch)
	check(err)
	return out
}

// applyAction returns the JSON merge patch Argo CD would send for an action on obj.
func applyAction(vm lua.VM, obj *unstructured.Unstructured, name string) ([]byte, error) {
	action, err := vm.GetResourceAction(obj, name)
	if err != nil {
		return nil, err
	}
	impacted, err := vm.ExecuteResourceAction(obj, action.ActionLua, nil)
	if err != nil {
		return nil, err
	}
	before, err := json.Marshal(obj.Object)
	if err != nil {
		return nil, err
	}
	after, err := json.Marshal(impacted[0].UnstructuredObj.Object)
	if err != nil {
		return nil, err
	}
	return jsonpatch.CreateMergePatch(before, after)
}

func sorted(m map[string]bool) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%v", k, !v))
	}
	sort.Strings(out)
	return out
}

func readObject(path string) *unstructured.Unstructured {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	check(err)
	obj := map[string]any{}
	check(yaml.Unmarshal(data, &obj))
	return &unstructured.Unstructured{Object: obj}
}

func readYAML(path string, into any) {
	data, err := os.ReadFile(path)
	check(err)
	check(yaml.Unmarshal(data, into))
}

func report(name, why string) int {
	fmt.Printf("FAIL %s: %s\n", name, why)
	return 1
}

func printJSON(v any) {
	out, err := json.Marshal(v)
	check(err)
	fmt.Println(string(out))
}

func need(n int) {
	if len(os.Args) < n {
		fail("missing arguments; see the comment at the top of main.go")
	}
}

func check(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "error: "+msg)
	os.Exit(1)
}
