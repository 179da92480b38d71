/**
 * GET /api/docs: the API reference, rendered by Swagger UI (served from the
 * installed swagger-ui-dist package, nothing from the internet) from
 * GET /api/v1/openapi.json, with "Try it out" against this server.
 */
export const dynamic = "force-static";

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Conveyor API reference</title>
  <link rel="icon" href="/icon.svg" />
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  <style>body { margin: 0; } .topbar { display: none; } .back { font: 13px system-ui, sans-serif; padding: 10px 20px; border-bottom: 1px solid #e2e8f0; } .back a { color: #4338ca; text-decoration: none; }</style>
</head>
<body>
  <div class="back"><a href="/">← Conveyor</a> · <a href="/api/v1/openapi.json">openapi.json</a></div>
  <div id="api-reference"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#api-reference", deepLinking: true, docExpansion: "list", defaultModelsExpandDepth: 0, tryItOutEnabled: false });
  </script>
</body>
</html>`;

export function GET(): Response {
  return new Response(PAGE, { headers: { "content-type": "text/html; charset=utf-8" } });
}
