/**
 * A Polaris card headed like every admin section (an h2 in headingMd), with an optional badge beside
 * the heading: the settings cards and the widget preview share it.
 */
import { BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function SectionCard(props: { title: string; badge?: ReactNode; children: ReactNode }) {
  const heading = (
    <Text as="h2" variant="headingMd">
      {props.title}
    </Text>
  );
  return (
    <Card>
      <BlockStack gap="300">
        {props.badge ? (
          <InlineStack gap="200" blockAlign="center">
            {heading}
            {props.badge}
          </InlineStack>
        ) : (
          heading
        )}
        {props.children}
      </BlockStack>
    </Card>
  );
}
