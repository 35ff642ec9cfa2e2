// Parse: runs the ANTLR-generated lexer and parser over a policy file and turns the parse
// tree into our own AST. Limits are checked on the token stream before parsing, so hostile
// input ends in a diagnostic rather than a stack overflow.
#include "compiler/parse/parse.h"

#include "compiler/parse/slips.h"

#include <set>

#include "PolicyLexer.h"
#include "PolicyParser.h"
#include "antlr4-runtime.h"

namespace polc {
namespace {

using namespace polc::grammar;
using antlr4::ParserRuleContext;
using antlr4::Token;

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

SourceRange TokenRange(const Token* t) {
  SourceRange r;
  if (!t) return r;
  r.begin_line = static_cast<uint32_t>(t->getLine());
  r.begin_col = static_cast<uint32_t>(t->getCharPositionInLine() + 1);
  r.end_line = r.begin_line;
  std::string text = t->getType() == Token::EOF ? "" : t->getText();
  r.end_col = r.begin_col + static_cast<uint32_t>(CodePoints(text));
  return r;
}

SourceRange CtxRange(ParserRuleContext* ctx) {
  SourceRange r = TokenRange(ctx->getStart());
  const Token* stop = ctx->getStop();
  if (stop && stop->getTokenIndex() >= ctx->getStart()->getTokenIndex()) {
    SourceRange e = TokenRange(stop);
    r.end_line = e.end_line;
    r.end_col = e.end_col;
  }
  return r;
}

std::string Unquote(const std::string& quoted) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\' && i + 2 < quoted.size()) {
      char n = quoted[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += c;
    }
  }
  return out;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(DiagnosticSink& sink, const std::string& file) : sink_(sink), file_(file) {}
  void syntaxError(antlr4::Recognizer*, Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    SourceRange r = TokenRange(offending);
    if (!offending) {
      r.begin_line = r.end_line = static_cast<uint32_t>(line);
      r.begin_col = static_cast<uint32_t>(col + 1);
      r.end_col = r.begin_col + 1;
    }
    std::string message = msg;
    // ANTLR lists every token it could accept; past a handful that is noise.
    size_t brace = message.find("expecting {");
    if (brace != std::string::npos && std::count(message.begin(), message.end(), ',') > 5)
      message = message.substr(0, brace) + "here";
    if (offending && offending->getType() == Token::EOF)
      message = "the file ends too early: " + message;
    sink_.Report(DiagKind::SyntaxError, file_, r, message);
    ++count_;
  }
  size_t count() const { return count_; }

 private:
  DiagnosticSink& sink_;
  const std::string& file_;
  size_t count_ = 0;
};

// Checks the token stream against the limits and reports stray characters.
bool CheckTokens(antlr4::CommonTokenStream& tokens, const antlr4::dfa::Vocabulary& vocab,
                 const SourceFile& file, const ParseLimits& limits, DiagnosticSink& sink) {
  static const std::set<std::string> decl_words = {"'policy'", "'enum'",     "'input'",
                                                   "'param'",  "'set'",      "'table'",
                                                   "'brackets'", "'rule'",   "'function'",
                                                   "'accumulator'", "'output'"};
  bool ok = true;
  size_t depth = 0, prefix_run = 0, decl_tokens = 0;
  for (Token* t : tokens.getTokens()) {
    size_t type = t->getType();
    if (type == Token::EOF) break;
    if (type == PolicyLexer::UNKNOWN) {
      sink.Report(DiagKind::SyntaxError, file.Name(), TokenRange(t), "unexpected character '{}'",
                  t->getText());
      ok = false;
      continue;
    }
    if (t->getChannel() != Token::DEFAULT_CHANNEL) continue;
    std::string literal(vocab.getLiteralName(type));
    if (depth == 0 && decl_words.count(literal)) decl_tokens = 0;
    if (++decl_tokens > limits.max_decl_tokens) {
      sink.Report(DiagKind::DeclarationTooLong, file.Name(), TokenRange(t),
                  "this declaration has more than {} tokens", limits.max_decl_tokens);
      return false;
    }
    if (literal == "'('" || literal == "'['" || literal == "'{'") {
      if (++depth > limits.max_nesting) {
        sink.Report(DiagKind::NestingTooDeep, file.Name(), TokenRange(t),
                    "brackets nest deeper than {} levels", limits.max_nesting);
        return false;
      }
    } else if ((literal == "')'" || literal == "']'" || literal == "'}'") && depth > 0) {
      --depth;
    }
    bool prefix = literal == "'not'" || literal == "'-'" || literal == "'let'" ||
                  literal == "'if'" || literal == "'match'";
    prefix_run = prefix ? prefix_run + 1 : (literal == "'else'" || literal == "'then'" ||
                                            literal == "';'" || literal == "'='")
                                               ? prefix_run
                                               : 0;
    if (prefix_run > limits.max_nesting) {
      sink.Report(DiagKind::NestingTooDeep, file.Name(), TokenRange(t),
                  "prefix operators nest deeper than {} levels", limits.max_nesting);
      return false;
    }
  }
  return ok;
}

// Builds the AST from a parse tree that has no syntax errors.
class Builder {
 public:
  explicit Builder(std::string file) : file_(std::move(file)) {}

  std::unique_ptr<ast::Module> Build(PolicyParser::FileContext* ctx) {
    auto module = std::make_unique<ast::Module>();
    module->file = file_;
    for (auto* d : ctx->decl()) module->decls.push_back(Decl(d));
    return module;
  }

 private:
  ast::Ident Id(PolicyParser::IdentContext* ctx) { return {ctx->getText(), CtxRange(ctx)}; }

  ast::TypeRef Type(PolicyParser::TypeContext* ctx) {
    return {Id(ctx->ident()), ctx->optional != nullptr, CtxRange(ctx)};
  }

  std::optional<ast::Cite> Cite(PolicyParser::CiteContext* ctx) {
    if (!ctx) return std::nullopt;
    return ast::Cite{Unquote(ctx->STRING()->getText()), CtxRange(ctx)};
  }

  template <typename T>
  std::unique_ptr<T> Start(ParserRuleContext* ctx) {
    auto d = std::make_unique<T>();
    d->range = CtxRange(ctx);
    return d;
  }

  std::unique_ptr<ast::Decl> Decl(PolicyParser::DeclContext* ctx) {
    if (auto* c = ctx->policyHeader()) return Header(c);
    if (auto* c = ctx->enumDecl()) return Enum(c);
    if (auto* c = ctx->inputDecl()) return Input(c);
    if (auto* c = ctx->paramDecl()) return Param(c);
    if (auto* c = ctx->setDecl()) return Set(c);
    if (auto* c = ctx->tableDecl()) return Table(c);
    if (auto* c = ctx->bracketsDecl()) return Brackets(c);
    if (auto* c = ctx->ruleDecl()) return Rule(c);
    if (auto* c = ctx->functionDecl()) return Function(c);
    if (auto* c = ctx->accumulatorDecl()) return Accumulator(c);
    if (auto* c = ctx->areaDecl()) return Area(c);
    return Output(ctx->outputDecl());
  }

  std::unique_ptr<ast::Decl> Area(PolicyParser::AreaDeclContext* ctx) {
    auto d = Start<ast::AreaDecl>(ctx);
    d->name = Id(ctx->ident());
    d->label = Unquote(ctx->STRING()->getText());
    return d;
  }

  std::unique_ptr<ast::Decl> Header(PolicyParser::PolicyHeaderContext* ctx) {
    auto d = Start<ast::HeaderDecl>(ctx);
    d->title = Unquote(ctx->STRING()->getText());
    d->name = {d->title, TokenRange(ctx->STRING()->getSymbol())};
    for (auto* f : ctx->headerField()) {
      ast::HeaderField field;
      field.name = Id(f->ident());
      field.is_number = f->INT() != nullptr;
      field.value = field.is_number ? f->INT()->getText() : Unquote(f->STRING()->getText());
      field.range = CtxRange(f);
      d->fields.push_back(std::move(field));
    }
    return d;
  }

  std::unique_ptr<ast::Decl> Enum(PolicyParser::EnumDeclContext* ctx) {
    auto d = Start<ast::EnumDecl>(ctx);
    d->name = Id(ctx->ident());
    for (auto* w : ctx->enumWord()) {
      ast::EnumWord word{Id(w->ident()), std::nullopt};
      if (w->STRING()) word.label = Unquote(w->STRING()->getText());
      d->words.push_back(std::move(word));
    }
    d->cite = Cite(ctx->cite());
    return d;
  }

  std::unique_ptr<ast::Decl> Input(PolicyParser::InputDeclContext* ctx) {
    auto d = Start<ast::InputDecl>(ctx);
    auto ids = ctx->ident();
    d->name = Id(ids[0]);
    d->key = Id(ids[1]);
    size_t next = 2;
    for (size_t i = 0; i < ctx->children.size(); ++i) {
      std::string text = ctx->children[i]->getText();
      if (text == "of" && dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[i])) {
        d->parent = Id(ids[next++]);
        d->parent_field = Id(ids[next++]);
      } else if (text == "order" && dynamic_cast<antlr4::tree::TerminalNode*>(ctx->children[i])) {
        d->order = Id(ids[next++]);
      }
    }
    for (auto* item : ctx->inputItem()) {
      if (auto* f = dynamic_cast<PolicyParser::FieldItemContext*>(item)) {
        d->fields.push_back({Id(f->ident()), Type(f->type())});
      } else if (auto* r = dynamic_cast<PolicyParser::RequireItemContext*>(item)) {
        d->requirements.push_back({Expr(r->expr()), Unquote(r->STRING()->getText()), CtxRange(r)});
      }
    }
    return d;
  }

  std::unique_ptr<ast::Decl> Param(PolicyParser::ParamDeclContext* ctx) {
    auto d = Start<ast::ParamDecl>(ctx);
    d->name = Id(ctx->ident());
    d->type = Type(ctx->type());
    d->value = Expr(ctx->expr());
    d->cite = Cite(ctx->cite());
    return d;
  }

  std::unique_ptr<ast::Decl> Set(PolicyParser::SetDeclContext* ctx) {
    auto d = Start<ast::SetDecl>(ctx);
    auto ids = ctx->ident();
    d->name = Id(ids[0]);
    d->type = Type(ctx->type());
    for (size_t i = 1; i < ids.size(); ++i) d->words.push_back(Id(ids[i]));
    d->cite = Cite(ctx->cite());
    return d;
  }

  void TableValue(ast::TableDecl& d, PolicyParser::TableValueContext* ctx) {
    if (auto* s = dynamic_cast<PolicyParser::SingleValueContext*>(ctx)) {
      d.value_type = Type(s->type());
    } else if (auto* r = dynamic_cast<PolicyParser::RecordValueContext*>(ctx)) {
      for (auto* c : r->column()) d.columns.push_back({Id(c->ident()), Type(c->type())});
    }
  }

  std::unique_ptr<ast::Decl> Table(PolicyParser::TableDeclContext* ctx) {
    auto d = Start<ast::TableDecl>(ctx);
    if (auto* t = dynamic_cast<PolicyParser::InlineTableContext*>(ctx)) {
      d->name = Id(t->ident());
      d->key_type = Type(t->type());
      TableValue(*d, t->tableValue());
      for (auto* row : t->tableRow()) {
        ast::TableRow r;
        r.range = CtxRange(row);
        for (auto* k : row->tableKey())
          r.keys.push_back({k->getText(), CtxRange(k)});
        for (auto* v : row->expr()) r.values.push_back(Expr(v));
        r.cite = Cite(row->cite());
        d->rows.push_back(std::move(r));
      }
      d->cite = Cite(t->cite());
    } else if (auto* t = dynamic_cast<PolicyParser::CsvTableContext*>(ctx)) {
      auto ids = t->ident();
      d->name = Id(ids[0]);
      d->key_type = Type(t->type());
      TableValue(*d, t->tableValue());
      d->csv_path = Unquote(t->STRING()->getText());
      d->csv_key = Id(ids[1]);
      d->csv_value = Id(ids[2]);
      d->cite = Cite(t->cite());
    }
    return d;
  }

  std::unique_ptr<ast::Decl> Brackets(PolicyParser::BracketsDeclContext* ctx) {
    auto d = Start<ast::BracketsDecl>(ctx);
    d->name = Id(ctx->ident());
    for (auto* row : ctx->bracketRow()) {
      ast::BracketRow r;
      r.lower = row->lower->getText();
      r.lower_range = CtxRange(row->lower);
      if (row->upper) {
        r.upper = row->upper->getText();
        r.upper_range = CtxRange(row->upper);
      }
      r.rate = row->rate->getText();
      r.rate_range = CtxRange(row->rate);
      r.range = CtxRange(row);
      d->rows.push_back(std::move(r));
    }
    d->cite = Cite(ctx->cite());
    return d;
  }

  std::unique_ptr<ast::Decl> Rule(PolicyParser::RuleDeclContext* ctx) {
    auto d = Start<ast::RuleDecl>(ctx);
    d->name = Id(ctx->ident());
    d->type = Type(ctx->type());
    d->value = Expr(ctx->expr());
    d->cite = Cite(ctx->cite());
    for (auto* e : ctx->exceptionClause()) {
      ast::ExceptionClause clause;
      if (e->ident()) clause.label = Id(e->ident());
      clause.condition = Expr(e->cond);
      clause.value = Expr(e->value);
      clause.cite = Cite(e->cite());
      clause.range = CtxRange(e);
      d->exceptions.push_back(std::move(clause));
    }
    return d;
  }

  std::unique_ptr<ast::Decl> Function(PolicyParser::FunctionDeclContext* ctx) {
    auto d = Start<ast::FunctionDecl>(ctx);
    d->name = Id(ctx->ident());
    for (auto* p : ctx->param()) d->params.push_back({Id(p->ident()), Type(p->type())});
    d->result = Type(ctx->type());
    d->body = Expr(ctx->expr());
    d->cite = Cite(ctx->cite());
    return d;
  }

  std::unique_ptr<ast::Decl> Accumulator(PolicyParser::AccumulatorDeclContext* ctx) {
    auto d = Start<ast::AccumulatorDecl>(ctx);
    d->name = Id(ctx->ident());
    d->type = Type(ctx->type());
    if (ctx->key) d->key = Expr(ctx->key);
    d->is_count = ctx->count != nullptr;
    if (ctx->value) d->value = Expr(ctx->value);
    if (ctx->cond) d->condition = Expr(ctx->cond);
    if (ctx->cap) d->cap = Expr(ctx->cap);
    d->cite = Cite(ctx->cite());
    return d;
  }

  std::unique_ptr<ast::Decl> Output(PolicyParser::OutputDeclContext* ctx) {
    auto d = Start<ast::OutputDecl>(ctx);
    auto ids = ctx->ident();
    d->name = Id(ids[0]);
    d->record = Id(ids[1]);
    if (ctx->stage) d->stage = Id(ctx->stage);
    for (auto* c : ctx->outputColumn()) {
      ast::OutputColumn column;
      column.name = Id(c->ident());
      if (c->expr()) column.value = Expr(c->expr());
      if (c->absent) column.absent = Unquote(c->absent->getText());
      if (c->role) {
        column.role = c->role->getText();
        column.label = Unquote(c->label->getText());
      }
      column.range = CtxRange(c);
      d->columns.push_back(std::move(column));
    }
    return d;
  }

  // ------------------------------------------------------------ expressions
  ast::ExprPtr Node(ast::ExprKind kind, ParserRuleContext* ctx, std::string text = {}) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = kind;
    e->range = CtxRange(ctx);
    e->text = std::move(text);
    return e;
  }

  ast::ExprPtr Binary(std::string op, ast::ExprPtr lhs, ast::ExprPtr rhs) {
    auto e = std::make_unique<ast::Expr>();
    e->kind = ast::ExprKind::Binary;
    e->range = lhs->range;
    e->range.end_line = rhs->range.end_line;
    e->range.end_col = rhs->range.end_col;
    e->text = std::move(op);
    e->args.push_back(std::move(lhs));
    e->args.push_back(std::move(rhs));
    return e;
  }

  ast::ExprPtr Expr(PolicyParser::ExprContext* ctx) {
    if (auto* c = dynamic_cast<PolicyParser::LetExprContext*>(ctx)) {
      auto e = Node(ast::ExprKind::Let, c, c->ident()->getText());
      e->args.push_back(Expr(c->expr(0)));
      e->args.push_back(Expr(c->expr(1)));
      return e;
    }
    if (auto* c = dynamic_cast<PolicyParser::IfExprContext*>(ctx)) {
      auto e = Node(ast::ExprKind::If, c);
      for (auto* sub : c->expr()) e->args.push_back(Expr(sub));
      return e;
    }
    return Disjunction(static_cast<PolicyParser::PlainExprContext*>(ctx)->disjunction());
  }

  ast::ExprPtr Disjunction(PolicyParser::DisjunctionContext* ctx) {
    auto parts = ctx->conjunction();
    ast::ExprPtr e = Conjunction(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) e = Binary("or", std::move(e), Conjunction(parts[i]));
    return e;
  }

  ast::ExprPtr Conjunction(PolicyParser::ConjunctionContext* ctx) {
    auto parts = ctx->negation();
    ast::ExprPtr e = Negation(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) e = Binary("and", std::move(e), Negation(parts[i]));
    return e;
  }

  ast::ExprPtr Negation(PolicyParser::NegationContext* ctx) {
    if (ctx->negation()) {
      auto e = Node(ast::ExprKind::Unary, ctx, "not");
      e->args.push_back(Negation(ctx->negation()));
      return e;
    }
    return Comparison(ctx->comparison());
  }

  ast::ExprPtr Comparison(PolicyParser::ComparisonContext* ctx) {
    auto parts = ctx->additive();
    ast::ExprPtr lhs = Additive(parts[0]);
    if (parts.size() == 1) return lhs;
    if (ctx->compareOp()) return Binary(ctx->compareOp()->getText(), std::move(lhs), Additive(parts[1]));
    auto e = Node(ast::ExprKind::In, ctx);
    e->negated = ctx->negated != nullptr;
    e->args.push_back(std::move(lhs));
    e->args.push_back(Additive(parts[1]));
    return e;
  }

  ast::ExprPtr Additive(PolicyParser::AdditiveContext* ctx) {
    auto parts = ctx->multiplicative();
    auto ops = ctx->addOp();
    ast::ExprPtr e = Multiplicative(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i)
      e = Binary(ops[i - 1]->getText(), std::move(e), Multiplicative(parts[i]));
    return e;
  }

  ast::ExprPtr Multiplicative(PolicyParser::MultiplicativeContext* ctx) {
    auto parts = ctx->unary();
    ast::ExprPtr e = Unary(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) e = Binary("*", std::move(e), Unary(parts[i]));
    return e;
  }

  ast::ExprPtr Unary(PolicyParser::UnaryContext* ctx) {
    if (ctx->unary()) {
      auto e = Node(ast::ExprKind::Unary, ctx, "-");
      e->args.push_back(Unary(ctx->unary()));
      return e;
    }
    return Postfix(ctx->postfix());
  }

  ast::ExprPtr Postfix(PolicyParser::PostfixContext* ctx) {
    ast::ExprPtr e = Primary(ctx->primary());
    for (auto* op : ctx->postfixOp()) {
      auto next = std::make_unique<ast::Expr>();
      next->range = e->range;
      SourceRange end = CtxRange(op);
      next->range.end_line = end.end_line;
      next->range.end_col = end.end_col;
      if (auto* f = dynamic_cast<PolicyParser::FieldOpContext*>(op)) {
        next->kind = ast::ExprKind::Field;
        next->text = f->ident()->getText();
        next->args.push_back(std::move(e));
      } else if (auto* i = dynamic_cast<PolicyParser::IndexOpContext*>(op)) {
        next->kind = ast::ExprKind::Index;
        next->args.push_back(std::move(e));
        next->args.push_back(Expr(i->expr()));
      } else {
        next->kind = ast::ExprKind::Unit;
        next->text = op->getText();
        next->args.push_back(std::move(e));
      }
      e = std::move(next);
    }
    return e;
  }

  ast::ExprPtr Primary(PolicyParser::PrimaryContext* ctx) {
    using K = ast::ExprKind;
    if (dynamic_cast<PolicyParser::IntLitContext*>(ctx)) return Node(K::Int, ctx, ctx->getText());
    if (dynamic_cast<PolicyParser::DecimalLitContext*>(ctx)) return Node(K::Decimal, ctx, ctx->getText());
    if (dynamic_cast<PolicyParser::WanLitContext*>(ctx)) return Node(K::Wan, ctx, ctx->getText());
    if (dynamic_cast<PolicyParser::PercentLitContext*>(ctx)) return Node(K::Percent, ctx, ctx->getText());
    if (dynamic_cast<PolicyParser::DateLitContext*>(ctx)) return Node(K::Date, ctx, ctx->getText());
    if (auto* c = dynamic_cast<PolicyParser::PeriodLitContext*>(ctx)) {
      auto e = Node(K::Period, ctx, c->DATE(0)->getText());
      e->text2 = c->DATE(1)->getText();
      return e;
    }
    if (auto* c = dynamic_cast<PolicyParser::StringLitContext*>(ctx))
      return Node(K::String, ctx, Unquote(c->STRING()->getText()));
    if (dynamic_cast<PolicyParser::BoolLitContext*>(ctx)) return Node(K::Bool, ctx, ctx->getText());
    if (auto* c = dynamic_cast<PolicyParser::CallExprContext*>(ctx)) {
      auto e = Node(K::Call, ctx, c->ident()->getText());
      for (auto* a : c->expr()) e->args.push_back(Expr(a));
      return e;
    }
    if (auto* c = dynamic_cast<PolicyParser::NameExprContext*>(ctx))
      return Node(K::Name, ctx, c->ident()->getText());
    if (auto* c = dynamic_cast<PolicyParser::ParenExprContext*>(ctx)) return Expr(c->expr());
    if (auto* c = dynamic_cast<PolicyParser::SetLitContext*>(ctx)) {
      auto e = Node(K::Set, ctx);
      for (auto* w : c->ident()) e->words.push_back(Id(w));
      return e;
    }
    auto* c = static_cast<PolicyParser::MatchExprContext*>(ctx);
    auto e = Node(K::Match, ctx);
    e->args.push_back(Expr(c->expr()));
    for (auto* arm : c->matchArm()) {
      ast::MatchArm a;
      for (auto* w : arm->ident()) a.words.push_back(Id(w));
      a.value = Expr(arm->expr());
      a.range = CtxRange(arm);
      e->arms.push_back(std::move(a));
    }
    return e;
  }

  std::string file_;
};

}  // namespace

std::unique_ptr<ast::Module> Parse(const SourceFile& file, DiagnosticSink& sink,
                                   const ParseLimits& limits) {
  const std::string& text = file.Text();
  if (text.size() > limits.max_file_bytes) {
    sink.Report(DiagKind::FileTooLarge, file.Name(), SourceRange{},
                "the file has {} bytes; a policy file may have at most {}", text.size(),
                limits.max_file_bytes);
    return nullptr;
  }
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string::npos) {
    SourceRange r;
    r.begin_line = 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + bad, '\n'));
    size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    line_start = line_start == std::string::npos || bad == 0 ? 0 : line_start + 1;
    r.begin_col = 1 + static_cast<uint32_t>(CodePoints(std::string_view(text).substr(line_start, bad - line_start)));
    r.end_line = r.begin_line;
    r.end_col = r.begin_col + 1;
    sink.Report(DiagKind::InvalidUtf8, file.Name(), r, "invalid UTF-8 byte 0x{:02x}",
                static_cast<unsigned char>(text[bad]));
    return nullptr;
  }
  // Full-width punctuation and `元` become one diagnostic each with a fix-it; the parser reads
  // the repaired text, so it reports the file's other errors rather than jargon about them.
  std::string repaired = RepairSlips(file, sink);
  antlr4::ANTLRInputStream input(repaired);
  PolicyLexer lexer(&input);
  lexer.removeErrorListeners();
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  bool tokens_ok = CheckTokens(tokens, lexer.getVocabulary(), file, limits, sink);
  if (!tokens_ok && sink.HasErrors()) {
    // Stray characters are reported above; limits stop before the parser could overflow.
    bool only_stray = true;
    for (const auto& d : sink.All())
      if (d.kind != DiagKind::SyntaxError) only_stray = false;
    if (!only_stray) return nullptr;
  }
  PolicyParser parser(&tokens);
  parser.removeErrorListeners();
  ErrorListener listener(sink, file.Name());
  parser.addErrorListener(&listener);
  PolicyParser::FileContext* tree = parser.file();
  if (listener.count() > 0 || !tokens_ok) return nullptr;
  // A repaired slip is an error, but the AST is good for checking the rest.
  return Builder(file.Name()).Build(tree);
}

}  // namespace polc
