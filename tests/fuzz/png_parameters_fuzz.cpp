// Fuzz target: readPngTextChunks on arbitrary bytes, then parseParameters on every text found and on the raw
// bytes as text. Bounded by construction (no chunk is read past the file, inflation is capped); must not crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QByteArray>
#include <QString>

#include "lanterna/app/generation_parameters.h"
#include "png_text.h"

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "png parameters fuzz: %s\n", what);
  std::abort();
}

void checkParsed(const QString& text) {
  const auto parsed = lanterna::app::parseParameters(text);
  if (!parsed) return;
  const auto& r = parsed->request;
  require(r.prompt.size() <= static_cast<std::size_t>(text.toUtf8().size()), "a prompt longer than its text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  for (const auto& [key, value] : lanterna::app::readPngTextChunks(bytes)) {
    require(!key.isEmpty(), "a chunk with an empty key");
    checkParsed(value);
  }
  checkParsed(QString::fromUtf8(bytes));
  return 0;
}
