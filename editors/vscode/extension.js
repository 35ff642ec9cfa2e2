// The VS Code side of polc: starts `polc lsp` (the setting polc.path names the executable)
// and hands it every .policy file. Everything else (diagnostics, hover, definitions,
// completion, formatting, rename) is the server's.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('polc');
  const command = config.get('path', 'polc');
  const args = ['lsp', '--debounce', String(config.get('debounce', 200))];
  const server = { run: { command, args }, debug: { command, args } };
  client = new LanguageClient('polc', 'polc policies', server, {
    documentSelector: [{ scheme: 'file', language: 'polc' }],
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `polc: cannot start "${command} lsp" (${error.message}); set polc.path to the polc executable.`);
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
