# The population profile of polc-gen: every word, weight, amount and date of the synthetic
# population. The format is in docs/generator.md ("The profile"); in short:
#
#   [section] or [section word]   then   key = expression   (indented lines continue a value)
#   pick W: e, W: e, ...   one alternative, drawn with the integer weights W (their total is
#                          the denominator); a pick inside another expression needs parentheses
#   oneof a b c            one item, uniformly;    A .. B   a uniform whole number, day or year
#   Y-MM-DD, Y-1-MM-DD, Y+1-MM-DD, Y-MM-end   dates relative to the policy year (--year);
#   Y-17 a year;  MM-DD a month and day;  @name a [define] entry, expanded in place
#
# Money is in yuan (up to two decimals), shares in percent; words are written as spec section 2
# spells them. Change a number here and the population changes; no C++ knows these values.

[define]
# Birthdays on a year's edges and on 29 February (28 in common years) are over-represented.
birthday_edge = oneof 01-01 12-31 02-end
# Enrollment: about 20% late (through November, many on month ends where "+ N months" clamps),
# 25% exactly on an edge of the 2026 windows (Huaihua 09-01 .. 12-31, Yueyang 09-01 .. 01-31),
# the rest inside the wider window.
window_enrollment = pick
    200: (pick 300: oneof Y-01-31 Y-02-end Y-03-31 Y-05-31 Y-08-31 Y-10-31 Y-11-30,
          700: Y-02-01 .. Y-11-30),
    250: oneof Y-1-08-31 Y-1-09-01 Y-1-12-31 Y-01-01 Y-01-31 Y-02-01,
    550: Y-1-09-01 .. Y-01-31
# Waiting periods (spec section 5): start = max(enrolled_on, base); Huaihua's variable part is
# max(lapsed - 1, 0) - repaired months, at least 3 when lapsed >= 4.
start = max(enrolled, Y-01-01)
student_start = max(enrolled, Y-1-09-01)
variable_months = max(max(lapsed - 1, 0) - repaired, 3 * (lapsed >= 4), 0)
# A claim date: the edges of the benefit period, the day before, on and after an anchor (a
# plausible benefit start), the months before the period and the month after it, else the year.
claim_date_edges = 50: Y-01-01, 50: Y-12-31, 150: anchor + (-1 .. 1),
    80: Y-1-09-01 .. Y-1-12-31, 30: Y+1-01-01 .. Y+1-01-31
any_level = pick 30: primary, 20: level1, 25: level2, 15: level3, 10: provincial
# Amounts drawn log-uniformly by octaves from 1 yuan up to the kind's ceiling; 2% zeros.
outpatient_total = pick 20: 0, 980: (pick 30: 600, 970: loguniform(1, 3000))

[person]
category = pick 70: resident, 8: new_student, 8: newborn, 7: welfare_child, 7: special_entry
hardship = pick 600: none, 400: (oneof extremely_poor severe_disability orphan unsupported_child
    minimum_living marginal_low_income poverty_monitoring returned_to_poverty)

[category resident]
birth = pick 50: on(Y-100 .. Y-2, @birthday_edge), 950: Y-100-01-01 .. Y-2-12-31
enrolled = @window_enrollment
employee = yes
anchor = Y-01-01
anchor = max(employee_end, Y-01-01)
anchor = add_months(@start, 3)
anchor = add_months(@start, 3 + @variable_months)
anchor = @start + 90

[category special_entry]
birth = pick 50: on(Y-100 .. Y-2, @birthday_edge), 950: Y-100-01-01 .. Y-2-12-31
enrolled = @window_enrollment
anchor = Y-01-01
anchor = add_months(@start, 3)
anchor = add_months(@start, 3 + @variable_months)
anchor = @start + 90

[category new_student]
birth = pick 50: on(Y-25 .. Y-17, @birthday_edge), 950: Y-25-01-01 .. Y-17-12-31
enrolled = @window_enrollment
anchor = Y-1-09-01
anchor = add_months(@student_start, 3)
anchor = add_months(@student_start, 3 + @variable_months)
anchor = @student_start + 90

[category newborn]
# Born in the policy year, enrolled on the birth day or within the usual 90 days (edges
# included); no insurance history; benefits from the birth day. About 15% are born in the last
# quarter of the year before (Yueyang's 特殊情形 1, spec section 14), its edges included.
birth = pick 150: (pick 500: Y-01-01, 500: Y-12-31), 700: Y-01-01 .. Y-12-31,
    150: (pick 300: oneof Y-1-10-01 Y-1-12-31 Y-1-09-30, 700: Y-1-10-01 .. Y-1-12-31)
enrolled = min(birth + (pick 250: 0, 750: (pick 150: 89 .. 91, 850: 1 .. 120)), Y-12-31)
history = no
anchor = birth
anchor = enrolled
anchor = Y-01-01
# Most of a newborn's claims come after the birth; a few before it stay as edge cases.
claim_date = pick @claim_date_edges,
    640: not_before(Y-01-01 .. Y-12-31, birth, 800, birth + (0 .. 60))

[category welfare_child]
birth = pick 50: on(Y-17 .. Y-2, @birthday_edge), 950: Y-17-01-01 .. Y-2-12-31
enrolled = @window_enrollment
event = pick 150: Y-1-10-01 .. Y-1-12-31,
    850: (pick 200: (pick 500: Y-01-01, 500: max(enrolled, Y-01-01)), 800: Y-01-01 .. Y-12-31)
anchor = event
anchor = max(enrolled, Y-01-01)

[history]
# 80% unbroken: prior insured years 0 .. 8 and zero-claim years 0 .. 3 (both within age and
# prior); the rest lapsed 1 .. 6 years, some of them repaired.
unbroken_per_mille = 800
lapsed = min(1 .. 6, age)
repaired = 0 .. lapsed
prior_insured = min(0 .. 8, age)
zero_claim = 0 .. min(3, prior_insured)

[employee]
# About 15% of residents left employee insurance (spec section 14) between Y-1-07-01 and the
# end of the policy year, with the edges over-represented: Y-1-09-30 (a day before Yueyang's
# late-2025 range), Y-1-10-01 and Y-1-12-31 (its edges) and Y-01-01 (the first day of the year).
per_mille = 150
end = pick 400: oneof Y-1-09-30 Y-1-10-01 Y-1-12-31 Y-01-01, 300: Y-1-07-01 .. Y-1-12-31,
    300: Y-01-01 .. Y-12-31
# Enrolled on the 90th or the 91st day after it (the edge of "within 90 days"), before it,
# soon after it, or as the category drew.
enrolled = pick 300: employee_end + (90 .. 91), 150: employee_end + (-30 .. -1),
    250: employee_end + (0 .. 120), 300: enrolled
# Months of employee contributions in Y-1 and in Y: 2 and 3 (the edge of "at least 3") often.
months_prev = pick 300: oneof 2 3, 700: 0 .. 12
months_cur = pick 300: oneof 2 3, 700: 0 .. 12
gap = pick 1: no, 1: yes

[claims]
# Claims per person, in thousandths of a claim (mean = --claims-per-person x 1000): 5% none,
# 5% heavy (2 .. 4 x the mean), the rest 0 .. 2 x 85/90 of it; the mixture keeps the mean.
count = pick 50: 0, 50: round_milli(2 * mean .. 4 * mean), 900: round_milli(0 .. mean * 2 * 85 / 90)
date = pick @claim_date_edges, 640: Y-01-01 .. Y-12-31
# inpatient 35%, outpatient 50%, dual channel 10%, maternity 5%.
kind = pick 350: inpatient, 200: outpatient_general, 100: outpatient_hypertension,
    80: outpatient_diabetes, 120: outpatient_chronic, 100: dual_channel_drug,
    20: maternity_prenatal, 20: maternity_normal, 10: maternity_cesarean
level = @any_level
region = pick 150: out_of_region, 850: local
referral = none
# Written with 0, 1 or 2 decimals.
decimals = pick 3: 0, 2: 1, 5: 2
total = @outpatient_total
# eligible = total, or a share of it (written with its own decimals, so eligible <= total).
eligible_same_per_mille = 400
eligible_share = pick 50: 0%, 950: 0% .. 100%

[kind inpatient]
# Exact boundaries: the deductibles by level, the year's deductible cap, the catastrophic
# deductible, the basic cap, and the basic cap plus the catastrophic deductible.
# 550000 and 900000 take a hardship person past every assistance cap and tier (spec section 13).
total = pick 20: 0, 980: (pick 40: oneof 200 500 800 1200 2000 3000 16000 150000 166000 550000 900000,
    960: loguniform(1, 600000))

# General, hypertension and diabetes outpatient care is offered at primary level only: 75% of
# those claims are there, the rest are not_covered cases. 600 is where 70% reaches the 420 cap.
[kind outpatient_general]
level = pick 750: primary, 250: (@any_level)

[kind outpatient_hypertension]
level = pick 750: primary, 250: (@any_level)

[kind outpatient_diabetes]
level = pick 750: primary, 250: (@any_level)

[kind outpatient_chronic]
# The 47 diseases of the provincial list; about 6% carry 48 or 49, which no table has.
disease = pick 60: 48 .. 49, 940: 1 .. 47
# 10% large enough to reach the outpatient assistance cap (8000) and the serious-illness tier.
total = pick 900: (@outpatient_total), 100: loguniform(3000, 60000)

[kind dual_channel_drug]
total = pick 20: 0, 980: loguniform(1, 20000)

[kind maternity_prenatal]
total = pick 20: 0, 980: loguniform(1, 3000)

[kind maternity_normal]
total = pick 20: 0, 980: loguniform(1, 10000)

[kind maternity_cesarean]
total = pick 20: 0, 980: loguniform(1, 10000)

[region out_of_region]
# Local claims have referral none; out-of-region ones one of the three others.
referral = oneof registered referral_emergency temporary
