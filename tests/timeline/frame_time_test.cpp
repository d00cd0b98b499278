#include "lanterna/timeline/frame_time.h"

#include <gtest/gtest.h>

using namespace lanterna::timeline;

TEST(FrameTime, ParsesRatesAndReducesThem) {
  EXPECT_EQ(FrameRate::parse("24"), (FrameRate{24, 1}));
  auto ntsc = FrameRate::parse("30000/1001");
  ASSERT_TRUE(ntsc);
  EXPECT_EQ(ntsc->num, 30000);
  EXPECT_EQ(ntsc->den, 1001);
  EXPECT_EQ(ntsc->toString(), "30000/1001");
  auto fifty = FrameRate::parse("100/2");
  ASSERT_TRUE(fifty);
  EXPECT_EQ(fifty->num, 50);
  EXPECT_EQ(fifty->den, 1);
  EXPECT_FALSE(FrameRate::parse("29.97"));
  EXPECT_FALSE(FrameRate::parse("0"));
  EXPECT_FALSE(FrameRate::parse("24/0"));
  EXPECT_FALSE(FrameRate::parse("-24"));
  EXPECT_FALSE(FrameRate::parse(""));
}

TEST(FrameTime, NtscSecondsAreExact) {
  const FrameRate ntsc{30000, 1001};
  EXPECT_EQ(ntsc.toSeconds(FrameTime{30}), (Rational{1001, 1000}));
  EXPECT_EQ(ntsc.toSeconds(FrameTime{30000}), (Rational{1001, 1}));
  // One hour of NTSC is 107892.107… frames: no exact frame, so rounding decides.
  EXPECT_EQ(ntsc.fromSeconds(Rational{3600, 1}, Rounding::Down), FrameTime{107892});
  EXPECT_EQ(ntsc.fromSeconds(Rational{3600, 1}, Rounding::Up), FrameTime{107893});
  EXPECT_EQ(ntsc.fromSeconds(Rational{3600, 1}, Rounding::Nearest), FrameTime{107892});
  // Round trip through seconds is exact for every frame.
  for (std::int64_t frame : {0LL, 1LL, 29LL, 1799LL, 107892LL, 2589410LL})
    EXPECT_EQ(ntsc.fromSeconds(ntsc.toSeconds(FrameTime{frame}), Rounding::Down), FrameTime{frame});
}

TEST(FrameTime, TimestampsInStreamTimeBases) {
  const FrameRate ntsc{30000, 1001};
  const Rational mpegTs{1, 90000};
  EXPECT_EQ(ntsc.toTimestamp(FrameTime{1}, mpegTs, Rounding::Down), 3003);
  EXPECT_EQ(ntsc.fromTimestamp(3003 * 1000, mpegTs, Rounding::Down), FrameTime{1000});
  // 48 kHz audio: one NTSC frame is 1601.6 samples.
  EXPECT_EQ(ntsc.toTimestamp(FrameTime{1}, Rational{1, 48000}, Rounding::Down), 1601);
  EXPECT_EQ(ntsc.toTimestamp(FrameTime{1}, Rational{1, 48000}, Rounding::Nearest), 1602);
  EXPECT_EQ(ntsc.toTimestamp(FrameTime{5}, Rational{1, 48000}, Rounding::Down), 8008);
  EXPECT_EQ(ntsc.fromTimestamp(1601, Rational{1, 48000}, Rounding::Up), FrameTime{1});
  EXPECT_EQ(ntsc.fromTimestamp(1601, Rational{1, 48000}, Rounding::Down), FrameTime{0});
}

TEST(FrameTime, ConvertsBetweenRates) {
  const FrameRate film{24, 1};
  const FrameRate ntsc{30000, 1001};
  EXPECT_EQ(convertFrames(FrameTime{24}, film, FrameRate{48, 1}, Rounding::Down), FrameTime{48});
  // 24 film frames = 1 s = 29.97 NTSC frames.
  EXPECT_EQ(convertFrames(FrameTime{24}, film, ntsc, Rounding::Down), FrameTime{29});
  EXPECT_EQ(convertFrames(FrameTime{24}, film, ntsc, Rounding::Up), FrameTime{30});
  EXPECT_EQ(convertFrames(FrameTime{30}, ntsc, FrameRate{60000, 1001}, Rounding::Down), FrameTime{60});
  EXPECT_EQ(convertFrames(FrameTime{-1}, film, FrameRate{48, 1}, Rounding::Down), FrameTime{-2});
}

TEST(FrameTime, RationalOrderingAndArithmetic) {
  EXPECT_LT((Rational{1001, 1000}), (Rational{2, 1}));
  EXPECT_EQ(Rational::reduced(2002, -2000), (Rational{-1001, 1000}));
  EXPECT_GT((Rational{1001, 1000}), (Rational{1, 1}));
  EXPECT_EQ(FrameTime{5} + FrameTime{3}, FrameTime{8});
  EXPECT_EQ(FrameTime{5} - FrameTime{8}, FrameTime{-3});
  EXPECT_TRUE((FrameRate{48, 2}) == (FrameRate{24, 1}));
}
