#include "png_text.h"

#include <zlib.h>

namespace lanterna::app {
namespace {

constexpr int kMaxInflatedBytes = 1 << 20;  // parameters text is a few KB; more is not ours to read

quint32 readBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (quint32(u[0]) << 24) | (quint32(u[1]) << 16) | (quint32(u[2]) << 8) | quint32(u[3]);
}

bool inflateBounded(const QByteArray& compressed, QByteArray& out) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return false;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  out.resize(kMaxInflatedBytes);
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = kMaxInflatedBytes;
  const int result = inflate(&stream, Z_FINISH);
  out.resize(static_cast<int>(stream.total_out));
  inflateEnd(&stream);
  return result == Z_STREAM_END;
}

}  // namespace

std::map<QString, QString> readPngTextChunks(const QByteArray& file) {
  std::map<QString, QString> texts;
  static const char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (file.size() < 8 || !file.startsWith(QByteArray(kSignature, 8))) return texts;
  qsizetype offset = 8;
  while (offset + 12 <= file.size()) {
    const quint32 length = readBigEndian32(file.constData() + offset);
    const QByteArray type = file.mid(offset + 4, 4);
    if (length > static_cast<quint64>(file.size() - offset - 12)) break;  // truncated or lying length
    const QByteArray data = file.mid(offset + 8, length);
    offset += 12 + static_cast<qsizetype>(length);
    if (type == "IEND" || type == "IDAT") break;  // text that matters comes before the pixels

    const int keyEnd = data.indexOf('\0');
    if (keyEnd <= 0) continue;
    const QString key = QString::fromLatin1(data.left(keyEnd));
    if (type == "tEXt") {
      texts[key] = QString::fromLatin1(data.mid(keyEnd + 1));
    } else if (type == "zTXt") {
      QByteArray text;
      if (data.size() > keyEnd + 2 && data[keyEnd + 1] == 0 && inflateBounded(data.mid(keyEnd + 2), text))
        texts[key] = QString::fromLatin1(text);
    } else if (type == "iTXt") {
      // key\0 flag method language\0 translated-key\0 text
      if (data.size() < keyEnd + 3) continue;
      const bool compressed = data[keyEnd + 1] != 0;
      const int languageEnd = data.indexOf('\0', keyEnd + 3);
      const int translatedEnd = languageEnd < 0 ? -1 : data.indexOf('\0', languageEnd + 1);
      if (translatedEnd < 0) continue;
      QByteArray text = data.mid(translatedEnd + 1);
      if (compressed && !inflateBounded(QByteArray(text), text)) continue;
      texts[key] = QString::fromUtf8(text);
    }
  }
  return texts;
}

}  // namespace lanterna::app
