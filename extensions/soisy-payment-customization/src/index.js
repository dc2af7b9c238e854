// The function's entry point, as `shopify app generate extension` lays it out: one module per target.
export * from "./cart_payment_methods_transform_run";
