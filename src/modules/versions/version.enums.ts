export { Stage } from '../../common/stage';

export enum ArtifactFormat {
  ONNX = 'ONNX',
  PICKLE = 'PICKLE',
  JOBLIB = 'JOBLIB',
  TORCH = 'TORCH',
  SAFETENSORS = 'SAFETENSORS',
  TF_SAVEDMODEL = 'TF_SAVEDMODEL',
  OTHER = 'OTHER',
}

export enum ArtifactStatus {
  PENDING_UPLOAD = 'PENDING_UPLOAD',
  READY = 'READY',
  FAILED = 'FAILED',
  COLD = 'COLD',
  DELETED = 'DELETED',
}

/** A version's artifact: one file (registered without a manifest, or by reference), or a folder of files (a manifest). */
export enum ArtifactLayout {
  FILE = 'FILE',
  FOLDER = 'FOLDER',
}
