// A RocksDB file system that fails on demand, for tests of what kpidb does
// when the disk fills, syncs fail or a folder cannot be written: every file
// RocksDB and kpidb write goes through it (DBImpl::Open takes its Env).
#ifndef KPIDB_TESTS_DURABILITY_FAULT_FS_H_
#define KPIDB_TESTS_DURABILITY_FAULT_FS_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace kpidb::testing {

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "FaultFileSystem"; }
  const char* Name() const override { return kClassName(); }

  // Bytes that may still be appended to files; past it appends fail as on a
  // full disk (ENOSPC).
  std::atomic<int64_t> space{std::numeric_limits<int64_t>::max()};
  // Every sync (file or directory) fails.
  std::atomic<bool> fail_sync{false};
  // Creating files fails as in a folder without write permission.
  std::atomic<bool> deny_create{false};
  // How many appends reached the disk (for choosing fault points).
  std::atomic<int64_t> appended{0};

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (deny_create) return rocksdb::IOStatus::IOError(f, "Permission denied");
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (deny_create) return rocksdb::IOStatus::IOError(f, "Permission denied");
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& o,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    rocksdb::IOStatus s = target()->NewDirectory(name, o, &dir, dbg);
    if (s.ok()) *r = std::make_unique<Dir>(std::move(dir), this);
    return s;
  }
  rocksdb::IOStatus CreateDir(const std::string& d, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    if (deny_create) return rocksdb::IOStatus::IOError(d, "Permission denied");
    return target()->CreateDir(d, o, dbg);
  }
  rocksdb::IOStatus CreateDirIfMissing(const std::string& d, const rocksdb::IOOptions& o,
                                       rocksdb::IODebugContext* dbg) override {
    if (deny_create && !target()->FileExists(d, o, dbg).ok()) {
      return rocksdb::IOStatus::IOError(d, "Permission denied");
    }
    return target()->CreateDirIfMissing(d, o, dbg);
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FaultFileSystem* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->space.fetch_sub(static_cast<int64_t>(data.size())) <
          static_cast<int64_t>(data.size())) {
        fs_->space = 0;
        return rocksdb::IOStatus::NoSpace("No space left on device");
      }
      ++fs_->appended;
      return target()->Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* dbg) override {
      return Append(data, o, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected fsync failure");
      return target()->Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected fsync failure");
      return target()->Fsync(o, dbg);
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected fsync failure");
      return target()->RangeSync(offset, nbytes, o, dbg);
    }

   private:
    FaultFileSystem* fs_;
  };

  class Dir : public rocksdb::FSDirectory {
   public:
    Dir(std::unique_ptr<rocksdb::FSDirectory> d, FaultFileSystem* fs)
        : dir_(std::move(d)), fs_(fs) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected fsync failure");
      return dir_->Fsync(o, dbg);
    }
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& o,
                                          rocksdb::IODebugContext* dbg,
                                          const rocksdb::DirFsyncOptions& d) override {
      if (fs_->fail_sync) return rocksdb::IOStatus::IOError("injected fsync failure");
      return dir_->FsyncWithDirOptions(o, dbg, d);
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      return dir_->Close(o, dbg);
    }
    size_t GetUniqueId(char* id, size_t max_size) const override {
      return dir_->GetUniqueId(id, max_size);
    }

   private:
    std::unique_ptr<rocksdb::FSDirectory> dir_;
    FaultFileSystem* fs_;
  };
};

// An Env over a FaultFileSystem, and the file system to steer it.
struct FaultEnv {
  FaultEnv()
      : fs(std::make_shared<FaultFileSystem>()), env(rocksdb::NewCompositeEnv(fs)) {}
  std::shared_ptr<FaultFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
};

}  // namespace kpidb::testing

#endif  // KPIDB_TESTS_DURABILITY_FAULT_FS_H_
