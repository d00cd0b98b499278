#include "lanterna/app/tokenizer_fetch.h"

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include "lanterna/app/model_library.h"

namespace lanterna::app {
namespace {

struct KnownFile {
  const char* name;
  const char* sha256;  // of openai/clip-vit-large-patch14's file as Lanterna's conformance set carries it
};
constexpr KnownFile kFiles[] = {
    {"vocab.json", "3f0c4f7d2086b61b38487075278ea9ed04edb53a03cbb045b86c27190fa8fb69"},
    {"merges.txt", "9fd691f7c8039210e0fced15865466c65820d09b63988b0174bfe25de299051a"},
};

QString sha256Of(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  QCryptographicHash hash(QCryptographicHash::Sha256);
  hash.addData(&file);
  return QString::fromLatin1(hash.result().toHex());
}

// Downloads url into partialPath, continuing from its current size when the server honours Range.
Status download(QNetworkAccessManager& network, const QUrl& url, const QString& partialPath,
                const TokenizerFetchOptions& options, const QString& name) {
  QFile partial(partialPath);
  const qint64 already = partial.exists() ? partial.size() : 0;
  QNetworkRequest request(url);
  request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
  if (already > 0) request.setRawHeader("Range", "bytes=" + QByteArray::number(already) + "-");
  QNetworkReply* reply = network.get(request);
  QEventLoop loop;
  bool resumed = false, opened = false, writeFailed = false;
  QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
    if (!opened) {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      resumed = status == 206;  // 200 means the server sent the whole file: start over
      opened = partial.open(resumed ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate);
      if (!opened) {
        writeFailed = true;
        reply->abort();
        return;
      }
    }
    const QByteArray chunk = reply->readAll();
    if (partial.write(chunk) != chunk.size()) {
      writeFailed = true;
      reply->abort();
    }
  });
  QObject::connect(reply, &QNetworkReply::downloadProgress, &loop, [&](qint64 received, qint64 total) {
    if (options.progress) options.progress(name, received + (resumed ? already : 0), total + (resumed ? already : 0));
  });
  QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
  loop.exec();
  if (opened && reply->error() == QNetworkReply::NoError) partial.write(reply->readAll());
  partial.close();
  const auto error = reply->error();
  const QString errorText = reply->errorString();
  reply->deleteLater();
  if (writeFailed)
    return makeError(ErrorKind::DiskFull, "Cannot write \"" + partialPath.toStdString() + "\" (disk full?).",
                     partialPath.toStdString());
  if (error != QNetworkReply::NoError)
    return makeError(ErrorKind::FileNotFound,
                     "Downloading " + url.toString().toStdString() + " failed: " + errorText.toStdString() +
                         ". What was received is kept and the next attempt continues from there.");
  return Ok{};
}

}  // namespace

QUrl defaultTokenizerUrl() { return QUrl("https://huggingface.co/openai/clip-vit-large-patch14/resolve/main/"); }

Result<QString> fetchClipTokenizer(const TokenizerFetchOptions& options) {
  const QUrl base = options.baseUrl.isEmpty() ? defaultTokenizerUrl() : options.baseUrl;
  const QString folder =
      options.folder.isEmpty() ? ModelLibrary::defaultModelsFolder() + "/clip_tokenizer" : options.folder;
  if (!QDir().mkpath(folder))
    return makeError(ErrorKind::NoWriteAccess, "Cannot create the folder \"" + folder.toStdString() + "\".",
                     folder.toStdString());
  QNetworkAccessManager network;
  for (const KnownFile& known : kFiles) {
    const QString finalPath = folder + "/" + known.name;
    if (QFile::exists(finalPath) && sha256Of(finalPath) == known.sha256) continue;  // already complete
    const QString partialPath = finalPath + ".partial";
    QUrl url = base;
    url.setPath(url.path() + (url.path().endsWith('/') ? "" : "/") + known.name);
    if (Status got = download(network, url, partialPath, options, known.name); !got) return got.error();
    const QString actual = sha256Of(partialPath);
    if (actual != known.sha256) {
      QFile::remove(partialPath);  // a wrong file must not be resumed from
      return makeError(ErrorKind::FormatIncorrect,
                       "The downloaded " + std::string(known.name) + " does not match the expected checksum (got " +
                           actual.left(12).toStdString() + "…, expected " + std::string(known.sha256).substr(0, 12) +
                           "…). Nothing was installed.",
                       finalPath.toStdString());
    }
    QFile::remove(finalPath);
    if (!QFile::rename(partialPath, finalPath))
      return makeError(ErrorKind::NoWriteAccess, "Cannot move the download into \"" + finalPath.toStdString() + "\".",
                       finalPath.toStdString());
  }
  return folder;
}

}  // namespace lanterna::app
