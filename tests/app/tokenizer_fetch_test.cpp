// The tokenizer download against a local HTTP server that honours Range requests, serving the shared CLIP files.
#include "lanterna/app/tokenizer_fetch.h"

#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTcpSocket>
#include <QThread>

#include "test_paths.h"

using namespace lanterna;

namespace {

// Python's http.server plus Range support (206 responses), enough to exercise resuming.
const char* kServer = R"PY(
import http.server, os, re, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            return self.send_error(404)
        data = open(path, 'rb').read()
        start = 0
        match = re.match(r'bytes=(\d+)-', self.headers.get('Range', ''))
        if match:
            start = int(match.group(1))
            self.send_response(206)
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header('Content-Length', str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])
    def log_message(self, *args):
        pass
os.chdir(sys.argv[2])
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()
)PY";

int freePort() {
  QTcpServer probe;
  probe.listen(QHostAddress::LocalHost, 0);
  return probe.serverPort();
}

class TokenizerFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!QCoreApplication::instance()) {
      static int argc = 1;
      static char name[] = "test";
      static char* argv[] = {name, nullptr};
      new QCoreApplication(argc, argv);
    }
    source_ = QString::fromStdString((lanterna::testing::conformanceDir() / "clip_tokenizer").string());
    if (!QFile::exists(source_ + "/vocab.json")) GTEST_SKIP() << "shared clip_tokenizer not found at " << source_.toStdString();
    QFile script(dir_.filePath("server.py"));
    ASSERT_TRUE(script.open(QIODevice::WriteOnly));
    script.write(kServer);
    script.close();
    port_ = freePort();
    server_.start("python3", {script.fileName(), QString::number(port_), source_});
    ASSERT_TRUE(server_.waitForStarted(5000)) << "python3 is needed to serve the test files";
    QTcpSocket probe;
    for (int i = 0; i < 100; ++i) {  // wait until it accepts connections
      probe.connectToHost("127.0.0.1", port_);
      if (probe.waitForConnected(100)) break;
      QThread::msleep(50);
    }
  }
  void TearDown() override {
    server_.kill();
    server_.waitForFinished(2000);
  }
  app::TokenizerFetchOptions options(const QString& folder) {
    app::TokenizerFetchOptions o;
    o.baseUrl = QUrl(QString("http://127.0.0.1:%1/").arg(port_));
    o.folder = folder;
    return o;
  }

  QTemporaryDir dir_;
  QString source_;
  QProcess server_;
  int port_ = 0;
};

QByteArray readAll(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  return f.readAll();
}

}  // namespace

TEST_F(TokenizerFetchTest, DownloadsAndVerifiesBothFiles) {
  const QString target = dir_.filePath("models/clip_tokenizer");
  auto folder = app::fetchClipTokenizer(options(target));
  ASSERT_TRUE(folder.ok()) << folder.error().message;
  EXPECT_EQ(readAll(target + "/vocab.json"), readAll(source_ + "/vocab.json"));
  EXPECT_EQ(readAll(target + "/merges.txt"), readAll(source_ + "/merges.txt"));
  EXPECT_FALSE(QFile::exists(target + "/vocab.json.partial"));
}

TEST_F(TokenizerFetchTest, ResumesAPartialDownload) {
  const QString target = dir_.filePath("resume");
  QDir().mkpath(target);
  const QByteArray vocab = readAll(source_ + "/vocab.json");
  QFile partial(target + "/vocab.json.partial");
  ASSERT_TRUE(partial.open(QIODevice::WriteOnly));
  partial.write(vocab.left(vocab.size() / 3));  // an interrupted earlier attempt
  partial.close();
  qint64 firstReported = -1;
  auto o = options(target);
  o.progress = [&](const QString& file, qint64 received, qint64) {
    if (file == "vocab.json" && firstReported < 0) firstReported = received;
  };
  auto folder = app::fetchClipTokenizer(o);
  ASSERT_TRUE(folder.ok()) << folder.error().message;
  EXPECT_EQ(readAll(target + "/vocab.json"), vocab);
  EXPECT_GE(firstReported, vocab.size() / 3);  // counted from where it left off
}

TEST_F(TokenizerFetchTest, RefusesAFileWithTheWrongChecksum) {
  const QString target = dir_.filePath("wrong");
  QDir().mkpath(target);
  QFile partial(target + "/vocab.json.partial");
  ASSERT_TRUE(partial.open(QIODevice::WriteOnly));
  partial.write("{\"corrupt\": ");  // a resumed tail on a bad head gives a wrong file
  partial.close();
  auto folder = app::fetchClipTokenizer(options(target));
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().kind, ErrorKind::FormatIncorrect);
  EXPECT_NE(folder.error().message.find("checksum"), std::string::npos);
  EXPECT_FALSE(QFile::exists(target + "/vocab.json"));          // nothing installed under the final name
  EXPECT_FALSE(QFile::exists(target + "/vocab.json.partial"));  // and the bad bytes are not resumed from
}

TEST_F(TokenizerFetchTest, ReportsAnUnreachableServer) {
  auto o = options(dir_.filePath("none"));
  o.baseUrl = QUrl(QString("http://127.0.0.1:%1/").arg(freePort()));
  auto folder = app::fetchClipTokenizer(o);
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().message.find("failed"), std::string::npos);
}
