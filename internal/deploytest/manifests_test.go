package deploytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// repo is the repository root, from this package's directory.
const repo = "../.."

// object is one decoded manifest document.
type object struct {
	file string
	kind string
	name string
	v    any
}

// route and scc are the OpenShift kinds, declared here with the fields we
// use (github.com/openshift/api is not on the module proxy); strict
// decoding still rejects any field not listed.
type route struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Metadata   metav1ObjectMeta `json:"metadata"`
	Spec       routeSpec        `json:"spec"`
}

type metav1ObjectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type routeSpec struct {
	To struct {
		Kind   string `json:"kind"`
		Name   string `json:"name"`
		Weight *int   `json:"weight,omitempty"`
	} `json:"to"`
	Port struct {
		TargetPort string `json:"targetPort"`
	} `json:"port"`
	TLS *struct {
		Termination                   string `json:"termination"`
		InsecureEdgeTerminationPolicy string `json:"insecureEdgeTerminationPolicy,omitempty"`
	} `json:"tls,omitempty"`
	WildcardPolicy string `json:"wildcardPolicy,omitempty"`
}

type scc struct {
	APIVersion               string           `json:"apiVersion"`
	Kind                     string           `json:"kind"`
	Metadata                 metav1ObjectMeta `json:"metadata"`
	AllowPrivilegedContainer bool             `json:"allowPrivilegedContainer"`
	AllowPrivilegeEscalation *bool            `json:"allowPrivilegeEscalation"`
	AllowHostDirVolumePlugin bool             `json:"allowHostDirVolumePlugin"`
	AllowHostIPC             bool             `json:"allowHostIPC"`
	AllowHostNetwork         bool             `json:"allowHostNetwork"`
	AllowHostPID             bool             `json:"allowHostPID"`
	AllowHostPorts           bool             `json:"allowHostPorts"`
	ReadOnlyRootFilesystem   bool             `json:"readOnlyRootFilesystem"`
	AllowedCapabilities      []string         `json:"allowedCapabilities"`
	DefaultAddCapabilities   []string         `json:"defaultAddCapabilities"`
	RequiredDropCapabilities []string         `json:"requiredDropCapabilities"`
	RunAsUser                struct {
		Type string `json:"type"`
		UID  *int64 `json:"uid,omitempty"`
	} `json:"runAsUser"`
	SELinuxContext     struct{ Type string } `json:"seLinuxContext"`
	FSGroup            struct{ Type string } `json:"fsGroup"`
	SupplementalGroups struct{ Type string } `json:"supplementalGroups"`
	SeccompProfiles    []string              `json:"seccompProfiles"`
	Volumes            []string              `json:"volumes"`
	Users              []string              `json:"users"`
	Groups             []string              `json:"groups"`
	Priority           *int                  `json:"priority"`
}

// typed returns the Go type a kind decodes into.
func typed(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		return &corev1.Namespace{}, nil
	case "v1 PersistentVolumeClaim":
		return &corev1.PersistentVolumeClaim{}, nil
	case "v1 Service":
		return &corev1.Service{}, nil
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}, nil
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, nil
	case "networking.k8s.io/v1 Ingress":
		return &networkingv1.Ingress{}, nil
	case "rbac.authorization.k8s.io/v1 ClusterRole":
		return &rbacv1.ClusterRole{}, nil
	case "rbac.authorization.k8s.io/v1 RoleBinding":
		return &rbacv1.RoleBinding{}, nil
	case "route.openshift.io/v1 Route":
		return &route{}, nil
	case "security.openshift.io/v1 SecurityContextConstraints":
		return &scc{}, nil
	}
	return nil, fmt.Errorf("unexpected kind %s %s", apiVersion, kind)
}

// load decodes every document of every YAML file under dir.
func load(t *testing.T, dir string) map[string][]object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repo, "kubernetes", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	out := map[string][]object{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocs(data) {
			obj, err := decode(doc)
			if err != nil {
				t.Fatalf("%s document %d: %v", filepath.Base(f), i+1, err)
			}
			obj.file = filepath.Base(f)
			out[obj.file] = append(out[obj.file], obj)
		}
	}
	return out
}

func splitDocs(data []byte) [][]byte {
	var docs [][]byte
	for _, part := range bytes.Split(data, []byte("\n---\n")) {
		if len(bytes.TrimSpace(stripComments(part))) > 0 {
			docs = append(docs, part)
		}
	}
	return docs
}

func stripComments(b []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

// decode converts YAML to JSON and decodes it into the kind's type,
// refusing unknown fields.
func decode(doc []byte) (object, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return object{}, err
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct{ Name string }
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return object{}, err
	}
	v, err := typed(head.APIVersion, head.Kind)
	if err != nil {
		return object{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return object{}, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return object{}, fmt.Errorf("%s %s: trailing data", head.Kind, head.Metadata.Name)
	}
	return object{kind: head.Kind, name: head.Metadata.Name, v: v}, nil
}

// only returns the single object of kind in objs.
func only[T any](t *testing.T, objs []object) *T {
	t.Helper()
	var found []*T
	for _, o := range objs {
		if v, ok := o.v.(*T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		var zero T
		t.Fatalf("want exactly one %T, found %d", zero, len(found))
	}
	return found[0]
}

func all[T any](objs map[string][]object) []*T {
	var out []*T
	names := make([]string, 0, len(objs))
	for f := range objs {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		for _, o := range objs[f] {
			if v, ok := o.v.(*T); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

func envOf(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			m[e.Name] = "<from " + e.ValueFrom.SecretKeyRef.Name + ">"
			continue
		}
		m[e.Name] = e.Value
	}
	return m
}

func mountsOf(c corev1.Container) map[string]string {
	m := map[string]string{}
	for _, vm := range c.VolumeMounts {
		m[vm.MountPath] = vm.Name
	}
	return m
}

func has(list []corev1.Capability, want ...string) bool {
	set := map[string]bool{}
	for _, c := range list {
		set[string(c)] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return len(set) == len(want)
}

func joined(s []string) string { return strings.Join(s, ",") }
