// Starts GraphiQL against the endpoint this page was served from (HTTP and WebSocket).
(function () {
  var url = window.location.origin + window.location.pathname;
  var ws = url.replace(/^http/, 'ws');
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: ws });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: '# Yizhan GraphQL API\n{\n  communities {\n    slug\n    name\n  }\n}\n',
  }));
})();
