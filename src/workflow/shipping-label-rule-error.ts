import { HdcError } from '../client/errors/hdc-error.js';

/** Which rule a shipping label broke; stable, for scripts. */
export type ShippingLabelRule =
  /** `destination` must be `windowsUpdate` or `anotherPartner`. */
  | 'destination'
  /** Windows Update labels need `publishingSpecifications`; labels for another partner need `recipientSpecifications`; neither takes the other's. */
  | 'specifications-for-destination'
  /** Windows Update labels need at least one hardware ID. */
  | 'hardware-ids-required'
  /** An auto-install flag needs `additionalInfoForMsApproval`. */
  | 'auto-install-approval-info'
  /** `manualAcquisition` must be false with an auto-install flag, and true without one. */
  | 'manual-acquisition'
  /** CHIDs only go with hardware IDs for Windows 10 and later. */
  | 'chids-windows-10'
  /** Extension INFs must be published as automatic updates. */
  | 'extension-inf-automatic'
  /** `inServicePublishInfo` and `coEngDriverPublishInfo` exclude each other. */
  | 'publish-info-exclusive'
  /** A hardware ID is not a bundle + INF + OS code + PnP ID combination of the driver metadata. */
  | 'hardware-id-in-metadata'
  /** A filter given to `shippingLabelFromMetadata` matches nothing in the driver metadata. */
  | 'filter-matches-nothing';

/** A shipping label breaks a documented rule; `target` names the field (or option) at fault. */
export class ShippingLabelRuleError extends HdcError {
  override readonly kind: string = 'shipping-label-rule';
  readonly rule: ShippingLabelRule;
  readonly target: string;

  constructor(rule: ShippingLabelRule, target: string, message: string) {
    super(message, { code: 'ShippingLabelRule', validationErrors: [{ target, message }] });
    this.rule = rule;
    this.target = target;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), rule: this.rule, target: this.target };
  }
}
