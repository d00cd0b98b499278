// Fetches the CLIP tokenizer files a single-file checkpoint lacks (vocab.json, merges.txt) from the model's
// public repository, on the user's request only. Usage:
//   auto folder = fetchClipTokenizer(TokenizerFetchOptions{});   // Result<QString>: the folder now holding them
// Resumable (a partial download continues with an HTTP Range request) and checksummed (sha256 against the known
// files); a file reaches its final name only when complete and verified. Blocking: call from a worker or the CLI.
#pragma once

#include <QString>
#include <QUrl>

#include <functional>

#include "lanterna/result.h"

namespace lanterna::app {

struct TokenizerFetchOptions {
  // Folder URL holding the files; default: openai/clip-vit-large-patch14 on the Hugging Face hub.
  QUrl baseUrl;
  // Destination; default: <default models folder>/clip_tokenizer, where the engine looks for it.
  QString folder;
  std::function<void(const QString& file, qint64 receivedBytes, qint64 totalBytes)> progress;
};

QUrl defaultTokenizerUrl();
Result<QString> fetchClipTokenizer(const TokenizerFetchOptions& options);

}  // namespace lanterna::app
