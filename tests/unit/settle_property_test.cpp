// Properties of settlement over generated populations (polc-gen), for both 2026 policies and
// both engines: patient >= 0, basic + catastrophic + assistance <= total, assistance >= 0, no
// cap ever exceeded over a person's year (the assistance caps included), a claim whose status is
// not `ok` pays nothing, and a person without an assistance class gets no assistance. The caps
// and classes are read from the compiled policy (its parameters and tables), not written here;
// the results output is widened with the policy's three assistance steps to check their caps.
#include <fstream>
#include <sstream>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <unistd.h>

#include <fmt/format.h>

#include "compiler/io/read_inputs.h"
#include "compiler/diag/stack.h"
#include "compiler/driver/compile.h"
#include "compiler/driver/session.h"
#include "compiler/interp/interp.h"
#include "compiler/settle/inputs.h"
#include "tests/unit/test_util.h"

namespace polc {
namespace {

int32_t Index(const std::vector<std::string>& names, const std::string& name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int32_t>(i);
  }
  ADD_FAILURE() << "no " << name;
  return 0;
}

template <typename T>
int32_t IndexOf(const std::vector<T>& items, const std::string& name) {
  std::vector<std::string> names;
  for (const T& item : items) names.push_back(item.name);
  return Index(names, name);
}

int32_t Column(const ir::Program& p, int kind, const std::string& name) {
  return IndexOf(p.outputs[static_cast<size_t>(p.output_of[kind])].columns, name);
}

int32_t Word(const ir::Program& p, const std::string& enum_name, const std::string& word) {
  return IndexOf(p.enums[static_cast<size_t>(IndexOf(p.enums, enum_name))].words, word);
}

int64_t ConstParam(const ir::Program& p, const std::string& name) {
  const ir::Node& value = *p.params[static_cast<size_t>(IndexOf(p.params, name))].value;
  EXPECT_EQ(value.op, ir::Op::Const) << name;
  return value.value.a;
}

const ir::Table& TableNamed(const ir::Program& p, const std::string& name) {
  return p.tables[static_cast<size_t>(IndexOf(p.tables, name))];
}

using Params = std::tuple<std::string, std::string, uint64_t>;  // policy, engine, seed

class SettleProperties : public testing::TestWithParam<Params> {};

TEST_P(SettleProperties, HoldForEveryClaimAndPerson) {
  const auto& [policy, engine_name, seed] = GetParam();
  const std::string path = std::string(POLC_SOURCE_DIR) + "/policies/" + policy + ".policy";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  const std::string columns = "assistance fund \"医疗救助\",\n  patient,\n}";
  const size_t at = source.find(columns);
  ASSERT_NE(at, std::string::npos) << "the results output ends with assistance, patient";
  source.replace(at, columns.size(),
                 "assistance fund \"医疗救助\", patient, inpatient_assistance, outpatient_assistance, "
                 "serious_inpatient_assistance, serious_outpatient_assistance\n}");
  auto c = driver::CompileText(path, source);
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  const ir::Program& p = c->program;
  const std::string dir = fmt::format("{}/polc-properties-{}-{}-{}", std::filesystem::temp_directory_path().string(),
                                      policy, seed, ::getpid());
  const std::string gen = fmt::format("'{}' --persons 8000 --claims-per-person 6 --seed {} --out '{}' >/dev/null",
                                      POLC_GEN_BINARY, seed, dir);
  ASSERT_EQ(std::system(gen.c_str()), 0);

  RunOnLargeStack([&] {
    std::unique_ptr<driver::Settlers> engine = driver::MakeSettlers(p, engine_name, std::cerr);
    settle::Inputs inputs;
    settle::InputErrors errors;
    ASSERT_TRUE(io::ReadInputs(*engine->interp, dir + "/persons.csv", dir + "/claims.csv", inputs, errors))
        << errors.Render();
    ValueSink sink(inputs);
    // Settling refuses an accumulator over its cap, so a clean run is a property already.
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) engine->settle(inputs, s, sink, settle::SettleOptions{});

    const auto& claim = p.records[1];
    const int32_t f_kind = IndexOf(claim.fields, "kind"), f_disease = IndexOf(claim.fields, "disease"),
                  f_total = IndexOf(claim.fields, "total");
    const int32_t c_status = Column(p, 1, "status"), c_basic = Column(p, 1, "basic"),
                  c_cat = Column(p, 1, "catastrophic"), c_patient = Column(p, 1, "patient"),
                  c_assist = Column(p, 1, "assistance"), c_in_assist = Column(p, 1, "inpatient_assistance"),
                  c_out_assist = Column(p, 1, "outpatient_assistance"),
                  c_serious_out = Column(p, 1, "serious_outpatient_assistance");
    const int32_t f_hardship = IndexOf(p.records[0].fields, "hardship");
    const ir::Table& classes = TableNamed(p, "assistance_class");
    const size_t assisted_column = static_cast<size_t>(IndexOf(classes.columns, "assisted"));
    const int64_t inpatient_assistance_cap = ConstParam(p, "inpatient_assistance_cap"),
                  outpatient_assistance_cap = ConstParam(p, "outpatient_assistance_cap"),
                  serious_outpatient_cap = ConstParam(p, "serious_outpatient_cap");
    const int32_t c_cap = Column(p, 0, "catastrophic_cap");
    const int64_t ok = Word(p, "status", "ok"), inpatient = Word(p, "claim_kind", "inpatient"),
                  chronic = Word(p, "claim_kind", "outpatient_chronic");
    const int64_t inpatient_cap = ConstParam(p, "inpatient_annual_cap");
    const ir::Table& outpatient_cap = TableNamed(p, "outpatient_cap");
    std::map<int64_t, int64_t> chronic_cap;
    for (const ir::TableRow& row : TableNamed(p, "chronic_caps").rows) chronic_cap[row.key] = row.values[0].a;

    // Per person: inpatient basic, catastrophic, outpatient basic per kind and per disease.
    struct Year {
      int64_t inpatient = 0, catastrophic = 0;
      int64_t inpatient_assistance = 0, outpatient_assistance = 0, serious_outpatient = 0;
      std::map<int64_t, int64_t> by_kind, by_disease;
    };
    std::vector<Year> years(inputs.subjects.Size());
    int64_t paid_claims = 0, unpaid_claims = 0, assisted_claims = 0;
    for (uint32_t e = 0; e < inputs.events.Size(); ++e) {
      const auto& row = sink.rows[1][e];
      ASSERT_FALSE(row.empty()) << "claim " << inputs.EventKey(e) << " not settled";
      const int64_t basic = row[c_basic].a, cat = row[c_cat].a, patient = row[c_patient].a;
      const int64_t assistance = row[c_assist].a;
      const int64_t total = inputs.events.Get(e, f_total).a;
      const std::string key = inputs.EventKey(e);
      EXPECT_GE(basic, 0) << key;
      EXPECT_GE(cat, 0) << key;
      EXPECT_GE(assistance, 0) << key;
      EXPECT_GE(patient, 0) << key;
      EXPECT_LE(basic + cat + assistance, total) << key;
      EXPECT_EQ(basic + cat + assistance + patient, total) << key;
      const int64_t hardship = inputs.subjects.Get(inputs.event_subject[e], f_hardship).a;
      if (classes.rows[static_cast<size_t>(hardship)].values[assisted_column].a == 0) {
        EXPECT_EQ(assistance, 0) << key << ": a person without an assistance class";
      }
      if (row[c_status].a != ok) {
        EXPECT_EQ(basic, 0) << key;
        EXPECT_EQ(cat, 0) << key;
        EXPECT_EQ(assistance, 0) << key;
        ++unpaid_claims;
        continue;
      }
      ++paid_claims;
      assisted_claims += assistance > 0 ? 1 : 0;
      Year& year = years[inputs.event_subject[e]];
      year.inpatient_assistance += row[c_in_assist].a;
      year.outpatient_assistance += row[c_out_assist].a;
      year.serious_outpatient += row[c_serious_out].a;
      const int64_t kind = inputs.events.Get(e, f_kind).a;
      if (kind == inpatient) {
        year.inpatient += basic;
        year.catastrophic += cat;
      } else if (kind == chronic) {
        year.by_disease[inputs.events.Get(e, f_disease).a] += basic;
      } else {
        year.by_kind[kind] += basic;
      }
      if (kind != inpatient) {
        EXPECT_EQ(cat, 0) << key << ": catastrophic pays inpatient claims only";
      }
    }
    EXPECT_GT(paid_claims, 1000);
    EXPECT_GT(unpaid_claims, 100);
    EXPECT_GT(assisted_claims, 100);
    for (uint32_t s = 0; s < inputs.subjects.Size(); ++s) {
      const Year& year = years[s];
      const std::string key = inputs.SubjectKey(s);
      EXPECT_LE(year.inpatient, inpatient_cap) << key;
      EXPECT_LE(year.inpatient_assistance, inpatient_assistance_cap) << key;
      EXPECT_LE(year.outpatient_assistance, outpatient_assistance_cap) << key;
      EXPECT_LE(year.serious_outpatient, serious_outpatient_cap) << key;
      const ir::Value& cap = sink.rows[0][s][c_cap];
      if (cap.present) {
        EXPECT_LE(year.catastrophic, cap.a) << key;
      }
      for (const auto& [kind, paid] : year.by_kind) {
        const ir::Value& kind_cap = outpatient_cap.rows[static_cast<size_t>(kind)].values[0];
        if (kind_cap.present) {
          EXPECT_LE(paid, kind_cap.a) << key << " kind " << kind;
        }
      }
      for (const auto& [disease, paid] : year.by_disease) {
        ASSERT_TRUE(chronic_cap.count(disease)) << key << ": paid for disease " << disease << " without a cap";
        EXPECT_LE(paid, chronic_cap[disease]) << key << " disease " << disease;
      }
    }
  });
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Generated, SettleProperties,
    testing::Combine(testing::Values("huaihua-2026", "yueyang-louqu-2026"), testing::Values("interp", "jit"),
                     testing::Values(uint64_t{31}, uint64_t{32})),
    [](const testing::TestParamInfo<Params>& info) {
      std::string name = fmt::format("{}_{}_{}", std::get<0>(info.param), std::get<1>(info.param),
                                     std::get<2>(info.param));
      for (char& ch : name) {
        if (ch == '-') ch = '_';
      }
      return name;
    });

}  // namespace
}  // namespace polc
