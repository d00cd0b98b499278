// Reads the text chunks (tEXt, zTXt, iTXt) of a PNG without decoding its pixels. Bounded: never reads past the
// file, never inflates more than a small limit, so a hostile file costs nothing. Pure functions; thread-safe.
#pragma once

#include <QByteArray>
#include <QString>

#include <map>

namespace lanterna::app {

std::map<QString, QString> readPngTextChunks(const QByteArray& file);

}  // namespace lanterna::app
