// The language server's loop: reads Content-Length framed JSON-RPC messages, keeps the open
// documents, checks a changed document once the client has been quiet for the debounce time
// (or before the next request, or at the end of the input) and publishes all its diagnostics.
#include "compiler/lsp/server.h"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <map>

#include "compiler/diag/stack.h"
#include <filesystem>

#include "compiler/check/check.h"
#include "compiler/lsp/features.h"
#include "compiler/parse/parse.h"

namespace polc::lsp {

namespace {

using Clock = std::chrono::steady_clock;

// Reads framed messages from a file descriptor, with a timeout for the debounce.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  enum class Status { Message, Timeout, End, Broken };

  // Waits up to `timeout_ms` (-1: forever) for a whole message.
  Status Next(int timeout_ms, std::string& body) {
    while (true) {
      Status s = Take(body);
      if (s != Status::Timeout) return s;
      if (eof_) return buffer_.empty() ? Status::End : Status::Broken;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, timeout_ms);
      if (ready == 0) return Status::Timeout;
      if (ready < 0) {
        if (errno == EINTR) continue;
        return Status::Broken;
      }
      char chunk[65536];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) eof_ = true;
      else buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  // A whole message from the buffer: Message, Timeout (need more bytes) or Broken.
  Status Take(std::string& body) {
    size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return buffer_.size() > 8192 ? Status::Broken : Status::Timeout;
    long length = -1;
    size_t at = 0;
    while (at < end) {
      size_t nl = buffer_.find("\r\n", at);
      std::string line = buffer_.substr(at, nl - at);
      if (line.rfind("Content-Length:", 0) == 0) length = std::atol(line.c_str() + 15);
      at = nl + 2;
    }
    if (length < 0 || length > (64l << 20)) return Status::Broken;
    if (buffer_.size() < end + 4 + static_cast<size_t>(length)) return Status::Timeout;
    body = buffer_.substr(end + 4, static_cast<size_t>(length));
    buffer_.erase(0, end + 4 + static_cast<size_t>(length));
    return Status::Message;
  }

  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

void Send(const Json& message) {
  std::string body = message.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::cout << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  std::cout.flush();
}

std::string PathOf(const std::string& uri) {
  std::string path = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      out += static_cast<char>(std::stoi(path.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

class Server {
 public:
  explicit Server(const ServerOptions& options) : options_(options), reader_(options.in_fd) {}

  int Run() {
    std::string body;
    while (!exited_) {
      int timeout = -1;
      if (pending_) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
        timeout = static_cast<int>(std::max<long>(left, 0));
      }
      Reader::Status s = reader_.Next(timeout, body);
      if (s == Reader::Status::Timeout) {
        PublishPending();
        continue;
      }
      if (s != Reader::Status::Message) {
        PublishPending();
        return 1;
      }
      Json message = Json::parse(body, nullptr, false);
      if (message.is_discarded() || !message.is_object()) {
        Send({{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "not JSON"}}}});
        continue;
      }
      Handle(message);
    }
    return shutdown_ ? 0 : 1;
  }

 private:
  void Handle(const Json& message) {
    std::string method = message.value("method", "");
    Json params = message.value("params", Json::object());
    bool is_request = message.contains("id");
    if (!is_request) {
      Notify(method, params);
      return;
    }
    Json id = message["id"];
    // A request sees the diagnostics of every change before it.
    PublishPending();
    try {
      Json result;
      if (!Respond(method, params, result)) {
        Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32601}, {"message", "unknown method " + method}}}});
        return;
      }
      if (result.is_string() && method == "textDocument/rename") {
        Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32602}, {"message", result}}}});
        return;
      }
      Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
    } catch (const std::exception& e) {
      Send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32602}, {"message", std::string("bad request: ") + e.what()}}}});
    }
  }

  bool Respond(const std::string& method, const Json& params, Json& result) {
    if (method == "initialize") {
      result = {{"capabilities",
                 {{"textDocumentSync", {{"openClose", true}, {"change", 1}}},
                  {"hoverProvider", true},
                  {"definitionProvider", true},
                  {"referencesProvider", true},
                  {"completionProvider", {{"triggerCharacters", {"."}}}},
                  {"documentSymbolProvider", true},
                  {"documentFormattingProvider", true},
                  {"renameProvider", true}}},
                {"serverInfo", {{"name", "polc"}, {"version", options_.version}}}};
      return true;
    }
    if (method == "shutdown") {
      shutdown_ = true;
      result = nullptr;
      return true;
    }
    auto doc = docs_.find(params.at("textDocument").at("uri").get<std::string>());
    if (doc == docs_.end()) throw std::runtime_error("the document is not open");
    const Document& d = doc->second;
    if (method == "textDocument/hover") result = Hover(d, params);
    else if (method == "textDocument/definition") result = GoToDefinition(d, params);
    else if (method == "textDocument/references") result = References(d, params);
    else if (method == "textDocument/completion") result = Completion(d, params);
    else if (method == "textDocument/documentSymbol") result = DocumentSymbols(d);
    else if (method == "textDocument/formatting") result = Formatting(d);
    else if (method == "textDocument/rename") result = Rename(d, params);
    else return false;
    return true;
  }

  void Notify(const std::string& method, const Json& params) {
    if (method == "exit") {
      exited_ = true;
      return;
    }
    if (method == "textDocument/didOpen") {
      const Json& item = params.at("textDocument");
      Document& d = docs_[item.at("uri").get<std::string>()];
      d.uri = item.at("uri").get<std::string>();
      d.path = PathOf(d.uri);
      d.version = item.value("version", 0l);
      Update(d, item.at("text").get<std::string>());
    } else if (method == "textDocument/didChange") {
      auto it = docs_.find(params.at("textDocument").at("uri").get<std::string>());
      if (it == docs_.end() || params.at("contentChanges").empty()) return;
      it->second.version = params.at("textDocument").value("version", 0l);
      // Full synchronisation: the last change holds the whole text.
      Update(it->second, params.at("contentChanges").back().at("text").get<std::string>());
    } else if (method == "textDocument/didClose") {
      auto it = docs_.find(params.at("textDocument").at("uri").get<std::string>());
      if (it == docs_.end()) return;
      Send({{"jsonrpc", "2.0"},
            {"method", "textDocument/publishDiagnostics"},
            {"params", {{"uri", it->first}, {"diagnostics", Json::array()}}}});
      docs_.erase(it);
    }
  }

  // New text: parsed at once (requests need its index), checked after the debounce.
  void Update(Document& d, std::string text) {
    d.text = std::move(text);
    d.dirty = true;
    pending_ = true;
    deadline_ = Clock::now() + std::chrono::milliseconds(options_.debounce_ms);
    auto source = std::make_unique<SourceFile>(d.path, d.text);
    DiagnosticSink sink;
    std::unique_ptr<ast::Module> module;
    RunOnLargeStack([&] { module = Parse(*source, sink); });
    if (module) {
      d.index = std::make_unique<Index>(*module);
      RunOnLargeStack([&] { d.module.reset(); });  // a deep AST frees recursively
      d.module = std::move(module);
      d.parsed = std::move(source);
    } else if (!d.parsed) {
      d.parsed = std::move(source);  // positions for diagnostics only
    }
  }

  void PublishPending() {
    if (!pending_) return;
    pending_ = false;
    for (auto& [uri, d] : docs_) {
      if (!d.dirty) continue;
      d.dirty = false;
      // Parsed and checked as `polc check` does (CSV tables beside the file).
      SourceFile source(d.path, d.text);
      DiagnosticSink sink;
      RunOnLargeStack([&] {
        std::unique_ptr<ast::Module> module = Parse(source, sink);
        if (!module) return;
        std::string dir = std::filesystem::path(d.path).parent_path().string();
        ir::Program program;
        Check(*module, dir.empty() ? "." : dir, sink, program);
      });
      const SourceFile* src = &source;
      Json diagnostics = Json::array();
      for (const Diagnostic& diag : sink.Sorted()) {
        bool here = diag.file == d.path && diag.range.Valid();
        Json item = {{"range", ToLsp(*src, here ? diag.range : SourceRange{1, 1, 1, 1})},
                     {"severity", diag.severity() == Severity::Error ? 1 : 2},
                     {"code", std::string(InfoOf(diag.kind).name)},
                     {"source", "polc"},
                     {"message", here || diag.file == d.path ? diag.message : diag.file + ": " + diag.message}};
        Json related = Json::array();
        for (const DiagNote& n : diag.notes)
          related.push_back({{"location", {{"uri", uri}, {"range", ToLsp(*src, n.range)}}}, {"message", n.message}});
        if (!related.empty()) item["relatedInformation"] = related;
        if (!diag.fixits.empty()) {
          Json fixits = Json::array();
          for (const FixIt& f : diag.fixits)
            fixits.push_back({{"range", ToLsp(*src, f.range)}, {"newText", f.replacement}});
          item["data"] = {{"fixits", fixits}};
        }
        diagnostics.push_back(item);
      }
      Send({{"jsonrpc", "2.0"},
            {"method", "textDocument/publishDiagnostics"},
            {"params", {{"uri", uri}, {"version", d.version}, {"diagnostics", diagnostics}}}});
    }
  }

  ServerOptions options_;
  Reader reader_;
  std::map<std::string, Document> docs_;
  bool pending_ = false, shutdown_ = false, exited_ = false;
  Clock::time_point deadline_;
};

}  // namespace

int Serve(const ServerOptions& options) {
  std::ios::sync_with_stdio(false);
  return Server(options).Run();
}

}  // namespace polc::lsp
