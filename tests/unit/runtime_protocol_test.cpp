// The per-claim protocol of runtime/protocol.h, which both engines run (the interpreter
// natively, the JIT inlined from bitcode): totals and buckets of the flat record, an update's
// overflow and cap, table lookups and money x rate.
#include <gtest/gtest.h>

#include <vector>

#include "runtime/acc_spill.h"
#include "runtime/money.h"
#include "runtime/protocol.h"

namespace polc {
namespace {

struct IntRecord {
  std::vector<int64_t> words = std::vector<int64_t>(static_cast<size_t>(polc_acc_words(POLC_ACC_INT, 0)), 0);
  rt::AccSpill spill{1};
  int64_t Total(bool present, int64_t key) {
    return polc_acc_total(words.data(), POLC_ACC_INT, static_cast<int64_t>(words.size()), present, key,
                          &spill, &rt::AccSpill::Callback, 0);
  }
  int64_t* Bucket(bool present, int64_t key) {
    return polc_acc_bucket(words.data(), POLC_ACC_INT, static_cast<int64_t>(words.size()), present, key,
                           &spill, &rt::AccSpill::Callback, 0);
  }
};

TEST(Protocol, RecordSizes) {
  EXPECT_EQ(polc_acc_words(POLC_ACC_NONE, 0), 1);
  EXPECT_EQ(polc_acc_words(POLC_ACC_ENUM, 4), 5);
  EXPECT_EQ(polc_acc_words(POLC_ACC_INT, 0), 2 + 2 * POLC_INLINE_INT_BUCKETS);
}

// Twenty distinct keys: the first eight in the record, the rest in the host's spill; every
// total reads back, an unseen key reads 0, and Clear forgets the spilled ones.
TEST(Protocol, IntKeysPastTheInlineBuckets) {
  IntRecord r;
  for (int round = 1; round <= 2; ++round) {
    for (int64_t key = 100; key < 120; ++key) {
      int64_t* bucket = r.Bucket(true, key);
      ASSERT_NE(bucket, nullptr);
      EXPECT_EQ(polc_acc_apply(bucket, key, 0, 0), POLC_APPLY_OK);
    }
  }
  EXPECT_EQ(r.words[1], POLC_INLINE_INT_BUCKETS);
  EXPECT_EQ(r.words[2], 100);  // the first key seen takes the first bucket
  for (int64_t key = 100; key < 120; ++key) EXPECT_EQ(r.Total(true, key), 2 * key) << key;
  EXPECT_EQ(r.Total(true, 7), 0);
  EXPECT_EQ(r.Total(false, 0), 0);
  *r.Bucket(false, 0) += 5;  // an absent key has its own total
  EXPECT_EQ(r.Total(false, 123), 5);
  r.spill.Clear();
  EXPECT_EQ(r.Total(true, 119), 0);
  EXPECT_EQ(r.Total(true, 100), 200);  // the inline ones are the record's (the caller zeroes it)
}

TEST(Protocol, EnumWordsAndTheAbsentKey) {
  std::vector<int64_t> words(static_cast<size_t>(polc_acc_words(POLC_ACC_ENUM, 3)), 0);
  const int64_t n = static_cast<int64_t>(words.size());
  auto bucket = [&](bool present, int64_t word) {
    return polc_acc_bucket(words.data(), POLC_ACC_ENUM, n, present, word, nullptr, nullptr, 0);
  };
  auto total = [&](bool present, int64_t word) {
    return polc_acc_total(words.data(), POLC_ACC_ENUM, n, present, word, nullptr, nullptr, 0);
  };
  *bucket(true, 2) = 40;
  *bucket(false, 0) = 7;
  EXPECT_EQ(total(true, 2), 40);
  EXPECT_EQ(total(false, 99), 7);
  EXPECT_EQ(words[3], 7);  // after the words
  // An unknown word (past the enumeration, or negative) reads 0 and has no bucket to update.
  EXPECT_EQ(total(true, 4), 0);
  EXPECT_EQ(total(true, -1), 0);
  EXPECT_EQ(bucket(true, 4), nullptr);
  EXPECT_EQ(bucket(true, -1), nullptr);
}

TEST(Protocol, ApplyFailsOnOverflowAndOverTheCap) {
  int64_t total = INT64_MAX - 1;
  EXPECT_EQ(polc_acc_apply(&total, 2, 0, 0), POLC_APPLY_OVERFLOW);
  EXPECT_EQ(total, INT64_MAX - 1);  // unchanged
  EXPECT_EQ(polc_acc_apply(&total, 1, 0, 0), POLC_APPLY_OK);
  EXPECT_EQ(total, INT64_MAX);
  int64_t low = INT64_MIN + 1;
  EXPECT_EQ(polc_acc_apply(&low, -2, 0, 0), POLC_APPLY_OVERFLOW);

  int64_t capped = 90;
  EXPECT_EQ(polc_acc_apply(&capped, 10, 1, 100), POLC_APPLY_OK);  // reaching the cap is fine
  EXPECT_EQ(polc_acc_apply(&capped, 1, 1, 100), POLC_APPLY_OVER_CAP);
  EXPECT_EQ(capped, 101);  // updated, then reported
  EXPECT_EQ(polc_acc_apply(&capped, 1000, 0, 100), POLC_APPLY_OK);  // an absent cap holds nothing

  EXPECT_EQ(polc_acc_room(30, 100), 70);
  EXPECT_EQ(polc_acc_room(130, 100), 0);
}

TEST(Protocol, TableLookups) {
  const int64_t keys[] = {-5, 1, 2, 7, 12, 40};
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(polc_table_find(keys, 6, keys[i]), i);
  const int64_t missing_keys[] = {-6, 0, 3, 13, 41, INT64_MAX, INT64_MIN};
  for (int64_t missing : missing_keys) EXPECT_EQ(polc_table_find(keys, 6, missing), -1);
  EXPECT_EQ(polc_table_find(keys, 0, 1), -1);
  EXPECT_TRUE(polc_table_word_inside(0, 3));
  EXPECT_TRUE(polc_table_word_inside(2, 3));
  EXPECT_FALSE(polc_table_word_inside(3, 3));
  EXPECT_FALSE(polc_table_word_inside(-1, 3));
}

// The int64 fast path and the 128-bit helper round alike, including where the product or the
// rounding term overflows int64.
TEST(Protocol, MulRateMatchesTheExactHelper) {
  const int64_t fens[] = {0, 1, -1, 4999, 5000, -5000, -5001, 123456789, -987654321, INT64_MAX / 10000,
                          INT64_MAX, INT64_MIN, INT64_MAX / 7};
  const int64_t bps[] = {0, 1, -1, 5000, 7550, 10000, 15000, -2500, 1000000};
  for (int64_t fen : fens) {
    for (int64_t bp : bps) EXPECT_EQ(polc_mul_rate(fen, bp), rt::MulRate(fen, bp)) << fen << " x " << bp;
  }
}

TEST(Protocol, Messages) {
  EXPECT_EQ(rt::OverCapMessage("by_code", "person", "P1", "claim", "C7"),
            "internal error: accumulator by_code exceeds its cap for person P1 (after claim C7)");
  EXPECT_EQ(rt::WordOutsideTableMessage("9", "kind_rate"), "internal error: word 9 outside table kind_rate");
}

}  // namespace
}  // namespace polc
