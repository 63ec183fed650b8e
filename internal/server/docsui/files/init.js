// Starts Swagger UI on pi-forge's OpenAPI document. The page itself is
// public; its API calls carry the user's token: one passed as ?token= (kept
// for this tab, then removed from the address bar) or the web UI's saved one.
(function () {
  var KEY = "pi-forge/auth-token";
  var params = new URLSearchParams(location.search);
  var fromQuery = params.get("token");
  if (fromQuery) {
    sessionStorage.setItem(KEY, fromQuery);
    params.delete("token");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  function token() {
    return sessionStorage.getItem(KEY) || localStorage.getItem(KEY);
  }
  window.SwaggerUIBundle({
    url: "/api/docs/json",
    dom_id: "#docs",
    deepLinking: true,
    requestInterceptor: function (req) {
      var t = token();
      var path = new URL(req.url, location.href).pathname;
      if (t && path.indexOf("/api/v1/") === 0 && !req.headers.Authorization) {
        req.headers.Authorization = "Bearer " + t;
      }
      return req;
    },
  });
})();
