package deploytest

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// The container env every Deployment must fix (the image's contract).
var containerEnv = map[string]string{
	"HOST": "0.0.0.0", "PORT": "3000", "HOME": "/home/pi", "WORKSPACE_PATH": "/workspace",
	"PI_CONFIG_DIR": "/home/pi/.pi/agent", "FORGE_DATA_DIR": "/home/pi/.pi-forge",
	"UI_PASSWORD": "<from pi-forge-secret>", "API_KEY": "<from pi-forge-secret>",
}

var dataMounts = map[string]string{"/workspace": "workspace", "/home/pi/.pi/agent": "pi-config", "/home/pi/.pi-forge": "data"}

func TestKubeManifests(t *testing.T) {
	objs := load(t, "kube")
	base := objs["base.yaml"]
	if ns := only[corev1.Namespace](t, base); ns.Name != "pi-forge" {
		t.Errorf("namespace %q", ns.Name)
	}
	claims := map[string]string{}
	for _, pvc := range all[corev1.PersistentVolumeClaim](objs) {
		claims[pvc.Name] = pvc.Spec.Resources.Requests.Storage().String()
	}
	if claims["pi-forge-workspace"] != "10Gi" || claims["pi-forge-pi-config"] != "1Gi" || claims["pi-forge-data"] != "1Gi" || len(claims) != 3 {
		t.Errorf("claims %v", claims)
	}
	svc := only[corev1.Service](t, base)
	checkService(t, svc)
	ing := only[networkingv1.Ingress](t, base)
	for k, want := range map[string]string{
		"nginx.ingress.kubernetes.io/proxy-buffering":    "off",
		"nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
		"nginx.ingress.kubernetes.io/proxy-send-timeout": "3600",
		"nginx.ingress.kubernetes.io/proxy-body-size":    "100m",
	} {
		if ing.Annotations[k] != want {
			t.Errorf("ingress %s = %q, want %q", k, ing.Annotations[k], want)
		}
	}
	if b := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service; b.Name != svc.Name || b.Port.Name != "http" {
		t.Errorf("ingress backend %+v", b)
	}

	def := only[appsv1.Deployment](t, objs["deployment.yaml"])
	c := checkDeployment(t, def, svc, claims)
	if ps := def.Spec.Template.Spec.SecurityContext; *ps.RunAsUser != 1000 || !*ps.RunAsNonRoot || *ps.FSGroup != 1000 {
		t.Errorf("default mode must run as pi (1000), non-root: %+v", ps)
	}
	if c.SecurityContext.Capabilities.Add != nil || !has(c.SecurityContext.Capabilities.Drop, "ALL") {
		t.Errorf("default mode needs no capabilities: %+v", c.SecurityContext.Capabilities)
	}
	if envOf(c)["AGENT_TOOL_SANDBOX_ENABLED"] != "false" {
		t.Error("deployment.yaml must keep the sandbox off")
	}
	inits := def.Spec.Template.Spec.InitContainers
	if len(inits) != 1 || inits[0].Name != "volume-permissions" || !has(inits[0].SecurityContext.Capabilities.Add, "CHOWN", "FOWNER") ||
		!*inits[0].SecurityContext.ReadOnlyRootFilesystem || len(mountsOf(inits[0])) != 3 {
		t.Errorf("init container %+v", inits)
	}
	for _, m := range []string{"/tmp", "/home/pi/.config", "/home/pi/.cache", "/home/pi/.local", "/home/pi/.npm"} {
		if _, ok := mountsOf(c)[m]; !ok {
			t.Errorf("read-only root filesystem needs a writable %s", m)
		}
	}

	sb := only[appsv1.Deployment](t, objs["deployment-sandbox.yaml"])
	checkSandboxDeployment(t, sb, svc, claims)
}

func TestOpenShiftManifests(t *testing.T) {
	objs := load(t, "openshift")
	base := objs["base.yaml"]
	sa := only[corev1.ServiceAccount](t, base)
	if sa.Name != "pi-forge" || sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Errorf("service account %+v", sa)
	}
	claims := map[string]string{}
	for _, pvc := range all[corev1.PersistentVolumeClaim](objs) {
		claims[pvc.Name] = pvc.Spec.Resources.Requests.Storage().String()
	}
	svc := only[corev1.Service](t, base)
	checkService(t, svc)
	r := only[route](t, base)
	if r.Metadata.Annotations["haproxy.router.openshift.io/timeout"] != "3600s" || r.Spec.To.Name != svc.Name ||
		r.Spec.Port.TargetPort != "http" || r.Spec.TLS == nil || r.Spec.TLS.Termination != "edge" {
		t.Errorf("route %+v", r)
	}

	def := only[appsv1.Deployment](t, objs["deployment.yaml"])
	c := checkDeployment(t, def, svc, claims)
	ps := def.Spec.Template.Spec.SecurityContext
	if ps.RunAsUser != nil || !*ps.RunAsNonRoot || def.Spec.Template.Spec.ServiceAccountName != "pi-forge" {
		t.Errorf("restricted-v2 picks the uid; the pod must not set one: %+v", ps)
	}
	if mountsOf(c)["/home/pi"] != "home" {
		t.Error("an arbitrary uid needs a writable HOME")
	}

	sb := only[appsv1.Deployment](t, objs["deployment-sandbox.yaml"])
	checkSandboxDeployment(t, sb, svc, claims)
	s := only[scc](t, objs["scc-sandbox.yaml"])
	if s.Metadata.Name != "pi-forge-sandbox" || s.RunAsUser.Type != "MustRunAs" || s.RunAsUser.UID == nil || *s.RunAsUser.UID != 0 ||
		s.AllowPrivilegedContainer || s.AllowHostNetwork || s.AllowHostPID || s.AllowHostIPC || s.AllowHostPorts || s.AllowHostDirVolumePlugin ||
		s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation || joined(s.SeccompProfiles) != "runtime/default" {
		t.Errorf("scc %+v", s)
	}
	sbCaps := sb.Spec.Template.Spec.Containers[0].SecurityContext.Capabilities.Add
	if !has(sbCaps, s.AllowedCapabilities...) {
		t.Errorf("the SCC allows %v, the sandbox Deployment adds %v", s.AllowedCapabilities, sbCaps)
	}
	for _, c := range s.RequiredDropCapabilities {
		for _, a := range s.AllowedCapabilities {
			if c == a {
				t.Errorf("%s is both allowed and required-dropped", c)
			}
		}
	}
	role := only[rbacv1.ClusterRole](t, objs["scc-sandbox.yaml"])
	if rule := role.Rules[0]; joined(rule.ResourceNames) != s.Metadata.Name || joined(rule.Verbs) != "use" {
		t.Errorf("cluster role %+v", rule)
	}
	rb := only[rbacv1.RoleBinding](t, objs["scc-sandbox.yaml"])
	if rb.RoleRef.Name != role.Name || rb.Subjects[0].Kind != "ServiceAccount" || rb.Subjects[0].Name != sa.Name {
		t.Errorf("role binding %+v", rb)
	}
}

func checkService(t *testing.T, svc *corev1.Service) {
	t.Helper()
	if svc.Name != "pi-forge" || svc.Spec.Selector["app.kubernetes.io/name"] != "pi-forge" ||
		svc.Spec.Ports[0].Port != 3000 || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("service %+v", svc.Spec)
	}
}

// checkDeployment checks what both modes share and returns the container.
func checkDeployment(t *testing.T, d *appsv1.Deployment, svc *corev1.Service, claims map[string]string) corev1.Container {
	t.Helper()
	spec := d.Spec.Template.Spec
	if *d.Spec.Replicas != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("one replica, Recreate: two servers must never share the volumes")
	}
	for k, v := range svc.Spec.Selector {
		if d.Spec.Template.Labels[k] != v || d.Spec.Selector.MatchLabels[k] != v {
			t.Errorf("the service selector %s=%s does not match the pods", k, v)
		}
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Error("the agent's shell must not get a service account token")
	}
	if spec.SecurityContext.SeccompProfile == nil || spec.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("seccomp RuntimeDefault")
	}
	if len(spec.Containers) != 1 {
		t.Fatalf("%d containers", len(spec.Containers))
	}
	c := spec.Containers[0]
	if c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 3000 {
		t.Errorf("port %+v", c.Ports)
	}
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil ||
		!*sc.ReadOnlyRootFilesystem || !containsCap(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container security context %+v", sc)
	}
	env := envOf(c)
	for k, want := range containerEnv {
		if env[k] != want {
			t.Errorf("env %s = %q, want %q", k, env[k], want)
		}
	}
	for name, p := range map[string]*corev1.Probe{"startup": c.StartupProbe, "readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/api/v1/health" || p.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe %+v", name, p)
		}
	}
	if l := c.LivenessProbe; l.PeriodSeconds != 30 || l.TimeoutSeconds != 5 || l.FailureThreshold != 3 {
		t.Errorf("liveness timing %+v", l)
	}
	if c.Resources.Limits.Memory().String() != "2Gi" || c.Resources.Requests.Memory().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	mounts := mountsOf(c)
	for path, vol := range dataMounts {
		if mounts[path] != vol {
			t.Errorf("mount %s = %q, want volume %s", path, mounts[path], vol)
		}
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	for _, ctr := range append(spec.InitContainers, c) {
		for _, vm := range ctr.VolumeMounts {
			if _, ok := volumes[vm.Name]; !ok {
				t.Errorf("%s mounts undeclared volume %s", ctr.Name, vm.Name)
			}
		}
	}
	for _, v := range volumes {
		if v.PersistentVolumeClaim != nil {
			if _, ok := claims[v.PersistentVolumeClaim.ClaimName]; !ok {
				t.Errorf("volume %s uses unknown claim %s", v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
	if tmp := volumes["tmp"]; tmp.EmptyDir == nil || mounts["/tmp"] != "tmp" {
		t.Error("a read-only root filesystem needs an emptyDir at /tmp")
	}
	return c
}

func checkSandboxDeployment(t *testing.T, d *appsv1.Deployment, svc *corev1.Service, claims map[string]string) {
	t.Helper()
	c := checkDeployment(t, d, svc, claims)
	spec := d.Spec.Template.Spec
	if ps := spec.SecurityContext; ps.RunAsUser == nil || *ps.RunAsUser != 0 || ps.FSGroup != nil {
		t.Errorf("sandbox mode runs as root without fsGroup: %+v", ps)
	}
	if !has(c.SecurityContext.Capabilities.Add, "CHOWN", "SETUID", "SETGID", "KILL") {
		t.Errorf("sandbox capabilities %v", c.SecurityContext.Capabilities.Add)
	}
	env := envOf(c)
	for k, want := range map[string]string{"AGENT_TOOL_SANDBOX_ENABLED": "true", "AGENT_TOOL_UID": "1001", "AGENT_TOOL_GID": "1001", "AGENT_TOOL_HOME": "/home/pi-tools"} {
		if env[k] != want {
			t.Errorf("sandbox env %s = %q, want %q", k, env[k], want)
		}
	}
	if mountsOf(c)["/home/pi-tools"] == "" {
		t.Error("the tool user's HOME must be writable under a read-only root filesystem")
	}
}

func containsCap(list []corev1.Capability, c string) bool {
	for _, x := range list {
		if string(x) == c {
			return true
		}
	}
	return false
}

// Strict decoding catches what kubectl would reject.
func TestStrictDecodingRejectsTypos(t *testing.T) {
	bad := map[string]string{
		"unknown field": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 1\n",
		"wrong type":    "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: {port: 3000}\n",
		"unknown kind":  "apiVersion: v1\nkind: Servce\nmetadata: {name: x}\n",
		"route typo":    "apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {name: x}\nspec:\n  too: {kind: Service, name: x}\n",
	}
	for name, doc := range bad {
		if _, err := decode([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
