/** Human renderings of API resources for stdout (without --json): short tables and `field: value` blocks. */
import type { Audience } from '../client/resources/audiences.js';
import type { PreprodAsset, PreprodPackage } from '../client/resources/preprod.js';
import type { Product } from '../client/resources/products.js';
import type { ShippingLabel } from '../client/resources/shipping-labels.js';
import type { Submission } from '../client/resources/submissions.js';

type Cell = string | number | boolean | null | undefined;

/** Left-aligned columns separated by two spaces; an empty list says so instead of printing a bare header. */
export function table(header: string[], rows: Cell[][], empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const text = [header, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))))];
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  return text.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : (cell ?? '').padEnd(widths[column]!))).join('  ')).join('\n');
}

/** `field: value` lines, skipping empty values, with aligned values. */
export function fields(entries: [string, Cell | Cell[]][]): string {
  const shown = entries.filter(([, value]) => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0));
  const width = Math.max(0, ...shown.map(([name]) => name.length)) + 1;
  return shown.map(([name, value]) => `${`${name}:`.padEnd(width)} ${Array.isArray(value) ? value.join(', ') : String(value)}`).join('\n');
}

/** `validation inProgress` / `finalizeIngestion completed`, plus the service's messages. */
export function workflowLine(status: { currentStep?: unknown; state?: unknown; messages?: unknown } | null | undefined): string | undefined {
  if (!status) return undefined;
  const messages = Array.isArray(status.messages) && status.messages.length > 0 ? ` (${status.messages.join('; ')})` : '';
  return `${String(status.currentStep ?? '?')} ${String(status.state ?? '?')}${messages}`;
}

export function productTable(products: Product[]): string {
  return table(
    ['ID', 'NAME', 'HARNESS', 'CREATED'],
    products.map((p) => [p.id, p.productName, p.testHarness, p.createdDateTime]),
    '(no products)',
  );
}

export function describeProduct(p: Product): string {
  return fields([
    ['id', p.id],
    ['name', p.productName],
    ['shared product id', p.sharedProductId],
    ['test harness', p.testHarness],
    ['device type', p.deviceType],
    ['signatures', p.requestedSignatures as Cell[] | undefined],
    ['product types', p.selectedProductTypes ? Object.entries(p.selectedProductTypes).map(([os, type]) => `${os}=${String(type)}`) : undefined],
    ['marketing names', p.marketingNames as Cell[] | undefined],
    ['announcement date', p.announcementDate],
    ['test signed', p.isTestSign],
    ['created', p.createdDateTime],
  ]);
}

export function submissionTable(submissions: Submission[]): string {
  return table(
    ['ID', 'NAME', 'TYPE', 'COMMIT', 'WORKFLOW'],
    submissions.map((s) => [s.id, s.name, s.type, s.commitStatus, workflowLine(s.workflowStatus)]),
    '(no submissions)',
  );
}

export function describeSubmission(s: Submission): string {
  const downloads = (s.downloads?.items ?? []).map((item) => item.type);
  return fields([
    ['id', s.id],
    ['product id', s.productId],
    ['name', s.name],
    ['type', s.type],
    ['commit status', s.commitStatus],
    ['workflow', workflowLine(s.workflowStatus)],
    ['downloads', downloads as Cell[]],
    ['created', s.createdDateTime],
  ]);
}

export function shippingLabelTable(labels: ShippingLabel[]): string {
  return table(
    ['ID', 'NAME', 'DESTINATION', 'WORKFLOW'],
    labels.map((l) => [l.id, l.name, l.destination, workflowLine(l.workflowStatus)]),
    '(no shipping labels)',
  );
}

export function describeShippingLabel(l: ShippingLabel): string {
  const hardwareIds = (l.targeting?.hardwareIds ?? []).map((h) => `${h.pnpString} (${h.operatingSystemCode}, ${h.infId})`);
  return fields([
    ['id', l.id],
    ['product id', l.productId],
    ['submission id', l.submissionId],
    ['name', l.name],
    ['destination', l.destination],
    ['workflow', workflowLine(l.workflowStatus)],
    ['go-live date', l.publishingSpecifications?.goLiveDate],
    ['auto-install', l.publishingSpecifications?.isAutoInstallOnApplicableSystems],
    ['hardware ids', hardwareIds],
    ['audiences', l.targeting?.restrictedToAudiences as Cell[] | undefined],
  ]);
}

export function audienceTable(audiences: Audience[]): string {
  return table(
    ['ID', 'NAME', 'DESCRIPTION'],
    audiences.map((a) => [a.id, a.name ?? a.audienceName, a.description]),
    '(no audiences)',
  );
}

export function describePreprodPackage(p: PreprodPackage, assets: PreprodAsset[] = []): string {
  const head = fields([
    ['package id', p.id],
    ['signing status', p.signingStatus],
    ['last modified', p.lastModified],
    ['error', p.error?.message],
  ]);
  if (assets.length === 0) return head;
  return `${head}\n\n${table(['ASSET ID', 'TYPE', 'CREATED'], assets.map((a) => [a.id, a.assetType, a.createdDate]))}`;
}
