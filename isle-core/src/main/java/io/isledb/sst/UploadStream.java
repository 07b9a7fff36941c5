package io.isledb.sst;

import io.isledb.ObjectUpload;
import io.isledb.util.Internal;
import java.io.OutputStream;

/** Adapts an upload to a {@link TableBuilder}'s output stream. */
@Internal
public final class UploadStream extends OutputStream {
  private final ObjectUpload upload;

  public UploadStream(ObjectUpload upload) {
    this.upload = upload;
  }

  @Override
  public void write(int b) {
    upload.write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    upload.write(b, off, len);
  }
}
