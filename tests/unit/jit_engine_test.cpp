// Unit tests for the JIT engine: the Huaihua 2026 policy compiled to native code, called
// through the raw ABI on hand-made rows and through NativeSettler on the golden files,
// unoptimized and at -O2.
#include <gtest/gtest.h>

#include "compiler/io/read_inputs.h"
#include "compiler/driver/compile.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "compiler/io/results.h"
#include "compiler/jit/engine.h"
#include "compiler/jit/native.h"
#include "compiler/jit/native_state.h"
#include "runtime/date.h"
#include "runtime/money.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

std::string PolicyPath(const std::string& name) {
  return std::string(POLC_SOURCE_DIR) + "/policies/" + name + ".policy";
}

int32_t FieldOf(const ir::Record& record, const std::string& name) {
  for (size_t i = 0; i < record.fields.size(); ++i) {
    if (record.fields[i].name == name) return static_cast<int32_t>(i);
  }
  ADD_FAILURE() << "no field " << name;
  return 0;
}

// A row from "field=value" spellings, typed by the record declaration; texts get indices.
std::vector<ir::Value> Row(const ir::Program& program, int kind,
                           const std::vector<std::pair<std::string, std::string>>& cells) {
  const ir::Record& record = program.records[kind];
  std::vector<ir::Value> row(record.fields.size(), ir::Value::Absent());
  int64_t text_index = 0;
  for (const auto& [name, text] : cells) {
    const int32_t f = FieldOf(record, name);
    const ir::Type& type = record.fields[static_cast<size_t>(f)].type;
    ir::Value v{0, 0, true};
    std::string error;
    switch (type.base) {
      case ir::Base::Date: {
        int32_t days = 0;
        EXPECT_TRUE(rt::ParseDate(text, days, error)) << error;
        v.a = days;
        break;
      }
      case ir::Base::Money:
        EXPECT_TRUE(rt::ParseMoney(text, v.a, error)) << error;
        break;
      case ir::Base::Int:
        v.a = std::stoll(text);
        break;
      case ir::Base::Enum: {
        const ir::Enum& e = program.enums[static_cast<size_t>(type.enum_id)];
        v.a = -1;
        for (size_t w = 0; w < e.words.size(); ++w) {
          if (e.words[w].name == text) v.a = static_cast<int64_t>(w);
        }
        EXPECT_GE(v.a, 0) << text;
        break;
      }
      case ir::Base::Text:
        v = {text_index++, kind, true};
        break;
      default:
        ADD_FAILURE() << "unexpected field type";
    }
    row[static_cast<size_t>(f)] = v;
  }
  return row;
}

class JitEngine : public testing::TestWithParam<bool> {
 protected:
  std::unique_ptr<jit::Engine> Build(const driver::Compilation& c) {
    std::string error;
    jit::EngineOptions options;
    options.params = interp::ComputeParams(c.program);
    options.optimize = GetParam();
    auto engine = jit::Engine::Create(c.program, options, error);
    EXPECT_TRUE(engine != nullptr) << error;
    return engine;
  }
};

// Person A of the worked example, claims H1..H3, through the raw entry points.
TEST_P(JitEngine, HandMadeRowsGiveTheWorkedExample) {
  auto c = driver::CompileFile(PolicyPath("huaihua-2026"));
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  auto engine = Build(*c);
  ASSERT_TRUE(engine);
  jit::NativeState settler(*engine);
  ASSERT_EQ(settler.Init(), 0);
  const ir::Program& p = c->program;
  std::vector<ir::Value> person = Row(p, 0, {{"person_id", "A"}, {"birth_date", "1970-05-01"},
      {"enrolled_on", "2025-10-10"}, {"category", "resident"}, {"hardship", "none"},
      {"prior_insured_years", "1"}, {"lapsed_years", "0"}, {"repaired_years", "0"},
      {"zero_claim_years", "1"}, {"employee_months_prev", "0"}, {"employee_months_cur", "0"},
      {"employee_gap", "no"}});
  settler.BeginSubject();
  const jit::Layout& layout = settler.GetLayout();
  std::vector<ir::Value> out(static_cast<size_t>(layout.subject_columns));
  ASSERT_EQ(settler.Subject(person.data(), out.data()), 0);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[1].a, 40000);                                  // contribution 400.00
  EXPECT_EQ(out[2].a, 0);                                      // subsidy
  EXPECT_EQ(rt::FormatDate(static_cast<int32_t>(out[3].a)), "2026-01-01");
  EXPECT_TRUE(out[4].present);
  EXPECT_EQ(out[4].a, 40500000);                               // catastrophic cap 405000.00

  struct Claim {
    const char *id, *date, *level, *region, *referral, *total, *eligible;
    int64_t basic, catastrophic, patient;
  };
  const Claim claims[] = {
      {"H1", "2026-03-01", "level3", "local", "none", "110000", "100000", 6422000, 1186800, 3391200},
      {"H2", "2026-05-01", "level3", "out_of_region", "temporary", "52000", "50000", 3211000, 1111750, 877250},
      {"H3", "2026-06-01", "level2", "local", "none", "300000", "300000", 5367000, 19391450, 5241550},
  };
  std::vector<ir::Value> result(static_cast<size_t>(layout.event_columns));
  for (const Claim& claim : claims) {
    std::vector<ir::Value> event = Row(p, 1, {{"claim_id", claim.id}, {"person_id", "A"},
        {"date", claim.date}, {"kind", "inpatient"}, {"level", claim.level},
        {"region", claim.region}, {"referral", claim.referral}, {"total", claim.total},
        {"eligible", claim.eligible}});
    ASSERT_EQ(settler.Event(person.data(), event.data(), result.data()), 0) << claim.id;
    EXPECT_EQ(result[3].a, claim.basic) << claim.id;
    EXPECT_EQ(result[4].a, claim.catastrophic) << claim.id;
    EXPECT_EQ(result[5].a, 0) << claim.id;  // no assistance class
    EXPECT_EQ(result[6].a, claim.patient) << claim.id;
    EXPECT_EQ(result[0].a, event[0].a) << "claim_id passes through";
  }
  // The year-end output: the funds paid, so the zero-claim count restarts at 0.
  ASSERT_EQ(layout.year_end_columns, 5);
  std::vector<ir::Value> next(static_cast<size_t>(layout.year_end_columns));
  ASSERT_EQ(settler.YearEnd(person.data(), next.data()), 0);
  EXPECT_EQ(next[1].a, 2);  // prior_insured_years + 1
  EXPECT_EQ(next[4].a, 0);  // zero_claim_years
}

// Collects formatted rows, as the result files would show them.
class CsvSink : public settle::RowSink {
 public:
  CsvSink(const ir::Program& program, const settle::Inputs& inputs) : program_(program), inputs_(inputs) {
    rows_[0].resize(inputs.subjects.Size());
    rows_[1].resize(inputs.events.Size());
    rows_[2].resize(inputs.subjects.Size());
  }
  void SubjectRow(uint32_t subject, std::span<const ir::Value> values) override { Put(0, subject, values); }
  void EventRow(uint32_t event, std::span<const ir::Value> values) override { Put(1, event, values); }
  void YearEndRow(uint32_t subject, std::span<const ir::Value> values) override { Put(2, subject, values); }
  std::string Text(int kind) const {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    std::string out;
    for (size_t c = 0; c < output.columns.size(); ++c) {
      if (c) out += ",";
      out += output.columns[c].name;
    }
    out += "\n";
    for (const std::string& row : rows_[kind]) out += row + "\n";
    return out;
  }

 private:
  void Put(int kind, uint32_t row, std::span<const ir::Value> values) {
    const ir::Output& output = program_.outputs[static_cast<size_t>(program_.output_of[kind])];
    std::string line;
    for (size_t c = 0; c < values.size(); ++c) {
      if (c) line += ",";
      line += io::FormatCell(program_, inputs_, output.columns[c].value->type, values[c],
                                 output.columns[c].absent);
    }
    rows_[kind][row] = line;
  }
  const ir::Program& program_;
  const settle::Inputs& inputs_;
  std::vector<std::string> rows_[3];  // [2]: the subject output at year end
};

TEST_P(JitEngine, GoldenFilesMatch) {
  for (const char* policy : {"huaihua-2026", "yueyang-louqu-2026"}) {
    auto c = driver::CompileFile(PolicyPath(policy));
    ASSERT_TRUE(c->ok) << c->diagnostics.Render();
    auto engine = Build(*c);
    ASSERT_TRUE(engine);
    for (const char* set : {"worked-example", "random-300"}) {
      const std::string dir = std::string(POLC_SHARED_DIR) + "/cases/" + set + "/";
      interp::Interpreter interp(c->program);
      settle::Inputs inputs;
      settle::InputErrors errors;
      ASSERT_TRUE(io::ReadInputs(interp, dir + "persons.csv", dir + "claims.csv", inputs, errors))
          << errors.Render();
      jit::NativeSettler native(*engine);
      CsvSink sink(c->program, inputs);
      settle::SettleOptions options;
      options.year_end_output = true;
      for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) native.SettleSubject(inputs, s, sink, options);
      EXPECT_EQ(sink.Text(1), ReadAll(dir + policy + ".results.csv")) << policy << " " << set;
      EXPECT_EQ(sink.Text(0), ReadAll(dir + policy + ".persons.csv")) << policy << " " << set;
      EXPECT_EQ(sink.Text(2), ReadAll(dir + policy + ".next.csv")) << policy << " " << set;
    }
  }
}

// Through the interpreter's seam (settle::SettleFn), as `polc run --engine jit` settles.
TEST_P(JitEngine, SettleFnSeamGivesTheInterpretersTables) {
  auto c = driver::CompileFile(PolicyPath("huaihua-2026"));
  ASSERT_TRUE(c->ok);
  jit::EngineOptions options;
  options.params = interp::ComputeParams(c->program);
  options.optimize = GetParam();
  settle::SettleFn settle = jit::MakeNativeSettleFn(c->program, options);
  const std::string dir = std::string(POLC_SHARED_DIR) + "/cases/random-300/";
  interp::Interpreter interp(c->program);
  settle::Inputs inputs;
  settle::InputErrors errors;
  ASSERT_TRUE(io::ReadInputs(interp, dir + "persons.csv", dir + "claims.csv", inputs, errors));
  io::ResultTable want[2], got[2], want_next, got_next;
  io::SettleToTables(c->program, interp.AsSettleFn(), inputs, want, &want_next);
  io::SettleToTables(c->program, settle, inputs, got, &got_next);
  for (int kind = 0; kind < 2; ++kind) {
    EXPECT_EQ(got[kind].header, want[kind].header);
    EXPECT_EQ(got[kind].rows, want[kind].rows);
    EXPECT_FALSE(got[kind].rows.empty());
  }
  EXPECT_TRUE(want_next.declared);
  EXPECT_EQ(got_next.header, want_next.header);
  EXPECT_EQ(got_next.rows, want_next.rows);
  EXPECT_FALSE(got_next.rows.empty());
}

TEST_P(JitEngine, EmitLlvmPrintsTheEntryPoints) {
  auto c = driver::CompileFile(PolicyPath("huaihua-2026"));
  ASSERT_TRUE(c->ok);
  std::string text, error;
  jit::EngineOptions options;
  options.optimize = GetParam();
  ASSERT_TRUE(jit::EmitLlvm(c->program, options, text, error)) << error;
  for (const char* name : {"@polc_init", "@polc_begin_subject", "@polc_subject", "@polc_event",
                           "@polc_events", "@polc_year_end"}) {
    EXPECT_NE(text.find(std::string(name) + "("), std::string::npos) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Pipelines, JitEngine, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "O2" : "O0";
                         });

}  // namespace
}  // namespace polc
