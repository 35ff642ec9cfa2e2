// The IR listing (`polc --emit=ir`): value spellings, and expressions printed with the names
// of what they read so a reader can follow a rule without the id tables.
#include <gtest/gtest.h>

#include "compiler/driver/compile.h"
#include "compiler/ir/ir.h"

namespace polc::ir {
namespace {

TEST(IrPrint, FormatsValues) {
  Program p;
  p.enums.push_back({"kind", {{"outpatient", "", {}}, {"inpatient", "", {}}}, {}});
  EXPECT_EQ(FormatValue(p, {Base::Money}, {40000}), "400.00");
  EXPECT_EQ(FormatValue(p, {Base::Money}, {-305}), "-3.05");
  EXPECT_EQ(FormatValue(p, {Base::Rate}, {8500}), "85%");
  EXPECT_EQ(FormatValue(p, {Base::Rate}, {6250}), "62.5%");
  EXPECT_EQ(FormatValue(p, {Base::Rate}, {625}), "6.25%");
  EXPECT_EQ(FormatValue(p, {Base::Rate}, {5}), "0.05%");
  EXPECT_EQ(FormatValue(p, {Base::Rate}, {-500}), "-5%");
  EXPECT_EQ(FormatValue(p, {Base::Date}, {0}), "1970-01-01");
  EXPECT_EQ(FormatValue(p, {Base::Duration}, {3, 0}), "3 months");
  EXPECT_EQ(FormatValue(p, {Base::Duration}, {0, 90}), "90 days");
  EXPECT_EQ(FormatValue(p, {Base::Duration}, {1, 2}), "1 months 2 days");
  EXPECT_EQ(FormatValue(p, {Base::Period}, {0, 364}), "1970-01-01 .. 1970-12-31");
  EXPECT_EQ(FormatValue(p, {Base::Enum, 0}, {1}), "inpatient");
  EXPECT_EQ(FormatValue(p, {Base::Bool}, {1}), "true");
  EXPECT_EQ(FormatValue(p, {Base::Money, -1, true}, Value::Absent()), "none");
}

TEST(IrPrint, NamesWhatExpressionsRead) {
  auto c = driver::CompileFile(std::string(POLC_SOURCE_DIR) + "/policies/huaihua-2026.policy");
  ASSERT_TRUE(c->ok) << c->diagnostics.Render();
  const Program& p = c->program;
  auto rule = [&](const std::string& name) -> std::string {
    for (const Rule& r : p.rules)
      if (r.name == name) return PrintNode(p, *r.value);
    return "(no rule " + name + ")";
  };
  auto field = [&](int record, const std::string& name) {
    for (size_t i = 0; i < p.records[record].fields.size(); ++i)
      if (p.records[record].fields[i].name == name)
        return fmt::format("(field {} {} {})", record ? "event" : "subject", i, name);
    return std::string("(no field)");
  };
  EXPECT_EQ(rule("outpatient_basic"),
            fmt::format("(min (mul-rate {} (table outpatient_rate.value {})) (acc-room outpatient_paid))",
                        field(1, "eligible"), field(1, "kind")));
  EXPECT_EQ(rule("inpatient_rate"), fmt::format("(table inpatient.rate {})", field(1, "level")));
  EXPECT_EQ(rule("paid"), "(eq (rule status) ok)");

  std::string listing = Print(p);
  for (const char* part : {"enum ", "record subject person key person_id", "record event claim key claim_id",
                           "param ", "fixed_wait: duration = 3 months", "brackets ", "150000.00 .. : 85%",
                           "table ", "primary => 200.00, 85%", "exception late_enrollment", "cite \"",
                           "accumulator ", "output "})
    EXPECT_NE(listing.find(part), std::string::npos) << part << "\n" << listing;
}

}  // namespace
}  // namespace polc::ir
