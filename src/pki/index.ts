// The PKI API the CLI, the certificate controller and the tests use.
export { createCertificateAuthority, type AuthorityOptions } from './authority.js';
export { issueClientCertificate, type ClientCertificateOptions } from './client.js';
export {
  writeDevCertificates,
  DEFAULT_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  DEV_CLIENT_COMMON_NAME,
  type DevCertificateFiles,
  type DevCertificateOptions,
  type DevCertificates,
} from './dev-certificates.js';
export type { CertificateAndKey, CertificateAuthority } from './pem.js';
export { issueServingCertificate, type ServingCertificateOptions } from './serving.js';
export { serviceDnsNames, subjectAltNames, type SubjectAltName } from './subject-alt-names.js';
