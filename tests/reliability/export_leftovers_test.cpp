// A killed export cannot remove its hidden temporary; the next export into the same folder does, and touches nothing
// else: not a live export's temporary (of this process), not the user's files, not an image writer's temporaries.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "lanterna/assets/video_decoder.h"
#include "lanterna/assets/video_writer.h"
#include "temp_dir.h"

namespace lanterna::testing {
namespace {

namespace fs = std::filesystem;
using assets::ExportFormat;

assets::ExportSettings smallMp4() {
  return {.format = ExportFormat::Mp4H264, .width = 32, .height = 32, .frameRate = {10, 1},
          .speed = assets::EncoderSpeed::Fast};
}

assets::Frame grey(std::int64_t index) {
  assets::Frame frame = assets::Frame::allocate(32, 32, assets::PixelFormat::Rgba8);
  for (std::size_t p = 0; p < frame.data.size(); ++p) frame.data[p] = p % 4 == 3 ? 255 : std::uint8_t(8 * index);
  return frame;
}

Status exportClip(const fs::path& target, const assets::ExportSettings& settings = smallMp4()) {
  return assets::exportVideo(target, settings, 6, [](std::int64_t i) -> Result<assets::Frame> { return grey(i); });
}

void expectWholeClip(const fs::path& target) {
  auto decoder = assets::VideoDecoder::open(target);
  ASSERT_TRUE(decoder) << decoder.error().message;
  auto last = decoder->frameAt(5);
  EXPECT_TRUE(last) << (last ? "" : last.error().message);
}

void writeJunk(const fs::path& path) { std::ofstream(path, std::ios::binary) << std::string(4096, 'x'); }

TEST(ExportLeftovers, TemporaryIsHiddenBesideTheTarget) {
  EXPECT_EQ(assets::exportTemporaryPath("/p/clip.mp4"), fs::path("/p/.clip.lanterna-export-partial.mp4"));
  EXPECT_EQ(assets::exportTemporaryPath("/p/frames"), fs::path("/p/.frames.lanterna-export-partial"));
}

TEST(ExportLeftovers, StalePartialsAreSweptAndUnrelatedFilesStay) {
  TempDir dir;
  const fs::path target = dir / "clip.mp4";
  const fs::path ownStale = assets::exportTemporaryPath(target);
  const fs::path otherStale = assets::exportTemporaryPath(dir / "export-3-2.mp4");
  const fs::path staleFrames = assets::exportTemporaryPath(dir / "frames");
  writeJunk(ownStale);
  writeJunk(otherStale);
  fs::create_directory(staleFrames);
  writeJunk(staleFrames / "frame_000000.png");
  // Not ours to remove: the user's files, a PNG being written by the image writer, a link that carries our name.
  const fs::path notes = dir / "notes.txt", hidden = dir / ".clip.mp4.bak", imageTemporary =
      dir / ".still.lanterna-partial.png", link = dir / ".linked.lanterna-export-partial.mp4";
  for (const fs::path& file : {notes, hidden, imageTemporary}) writeJunk(file);
  fs::create_symlink(notes, link);

  ASSERT_TRUE(exportClip(target));
  expectWholeClip(target);
  EXPECT_FALSE(fs::exists(ownStale));
  EXPECT_FALSE(fs::exists(otherStale));
  EXPECT_FALSE(fs::exists(staleFrames));
  for (const fs::path& file : {notes, hidden, imageTemporary}) EXPECT_EQ(fs::file_size(file), 4096u) << file;
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST(ExportLeftovers, LiveExportsOfThisProcessAreLeftAlone) {
  TempDir dir;
  const fs::path first = dir / "first.mp4";
  auto writer = assets::VideoWriter::open(first, smallMp4());
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE(writer->writeFrame(grey(0)));
  ASSERT_TRUE(fs::exists(assets::exportTemporaryPath(first)));

  // Another export into the same folder sweeps, but the live temporary is locked.
  ASSERT_TRUE(exportClip(dir / "second.mp4"));
  EXPECT_TRUE(fs::exists(assets::exportTemporaryPath(first)));
  // A second export to the very same file is refused instead of deleting the first one's work.
  const Status same = exportClip(first);
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().message.find("another export to the same file is running"), std::string::npos)
      << same.error().message;
  EXPECT_NE(same.error().message.find("first.mp4"), std::string::npos);

  for (int i = 1; i < 6; ++i) ASSERT_TRUE(writer->writeFrame(grey(i)));
  ASSERT_TRUE(writer->finish());
  expectWholeClip(first);
  EXPECT_FALSE(fs::exists(assets::exportTemporaryPath(first)));
  // Finished: the name is free again.
  EXPECT_TRUE(exportClip(first));
}

// The real case: an exporting process dies by SIGKILL, leaving its temporary; the next export clears it.
TEST(ExportLeftovers, SigkilledExportsTemporaryIsRemovedByTheNextExport) {
  TempDir dir;
  const fs::path killed = dir / "killed.mp4";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto writer = assets::VideoWriter::open(killed, smallMp4());
    if (!writer || !writer->writeFrame(grey(0))) _exit(1);
    const char byte = 'r';
    if (write(ready[1], &byte, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char byte = 0;
  const bool started = read(ready[0], &byte, 1) == 1;
  close(ready[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(started) << "the exporting child failed before its first frame";
  ASSERT_TRUE(fs::exists(assets::exportTemporaryPath(killed))) << "the kill left no temporary: nothing to test";
  EXPECT_FALSE(fs::exists(killed));

  ASSERT_TRUE(exportClip(dir / "next.mp4"));
  EXPECT_FALSE(fs::exists(assets::exportTemporaryPath(killed)));
  EXPECT_FALSE(fs::exists(killed));
  expectWholeClip(dir / "next.mp4");
}

TEST(ExportLeftovers, PngSequenceSweepsAndCommits) {
  TempDir dir;
  const fs::path stale = assets::exportTemporaryPath(dir / "clip.mp4");
  writeJunk(stale);
  auto settings = smallMp4();
  settings.format = ExportFormat::PngSequence;
  ASSERT_TRUE(exportClip(dir / "frames", settings));
  EXPECT_TRUE(fs::exists(dir / "frames" / "frame_000005.png"));
  EXPECT_FALSE(fs::exists(assets::exportTemporaryPath(dir / "frames")));
  EXPECT_FALSE(fs::exists(stale));
}

}  // namespace
}  // namespace lanterna::testing
