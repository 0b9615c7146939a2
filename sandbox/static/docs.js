// Starts Swagger UI on /docs with the settings the page carries in data attributes (see
// templates/swagger_ui.html): a file, so the page's Content-Security-Policy needs no inline script.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.dataset.config);
  config.url = container.dataset.specUrl;
  config.dom_id = "#swagger-ui-container";
  if (config.urls) {
    // Several documents (the sandbox's own and each standards dialect's): the standalone
    // layout's top bar offers them in a list.
    config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset];
    config.layout = "StandaloneLayout";
  }
  window.ui = SwaggerUIBundle(config);
});
