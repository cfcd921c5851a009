/**
 * The scanner's internal channel: an EventBridge bus of its own for the fan-out's work items (the
 * offline listing and the pacing share travel only there). Its resource policy denies events:PutEvents
 * to every principal but the scanner's role, and its rule wraps each event as
 * `{"channel":"internal","ruleArn":…,"event":…}` with an input transformer. A raw EventBridge
 * envelope (the default bus) never has a top-level `channel`, so the function tells the two apart by
 * the rule a message came through, never by a field a sender writes (functions/scanner/internal-events.ts).
 */
import { Duration, Names } from 'aws-cdk-lib';
import {
  EventBus,
  type IRuleRef,
  Rule,
  RuleTargetInput,
  type RuleTargetInputProperties,
} from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from './scanner-permissions.ts';

export const WORK_ITEM_DETAIL_TYPE = 'Scan Work';

/**
 * `<aws.events.event.json>` is the whole event, detail included (`<aws.events.event>` leaves the
 * detail out); both go unquoted, as JSON values (eb-transform-target-input, predefined variables).
 */
export const INTERNAL_INPUT_TEMPLATE =
  '{"channel":"internal","ruleArn":"<aws.events.rule-arn>","event":<aws.events.event.json>}';

/** The wrapper as a rule target input: only predefined variables, so no input paths. */
class InternalWrapperInput extends RuleTargetInput {
  // biome-ignore lint/complexity/noUselessConstructor: makes RuleTargetInput's protected constructor public.
  constructor() {
    super();
  }
  bind(_rule: IRuleRef): RuleTargetInputProperties {
    return { inputTemplate: INTERNAL_INPUT_TEMPLATE };
  }
}

export interface InternalChannelProps {
  /** The scanner's role: the only principal the bus admits. */
  readonly role: IRole;
}

export class InternalChannel extends Construct {
  readonly bus: EventBus;
  rule?: Rule;

  constructor(scope: Construct, id: string, props: InternalChannelProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      // Unique per stack and construct, within EventBridge's 256 characters.
      eventBusName: Names.uniqueResourceName(this, { maxLength: 200, separator: '-' }),
      description: 'eks-kubelet-audit: fan-out work items; only the scanner may put events here',
    });
    // An explicit Deny wins over any identity policy of the account (an admin's events:PutEvents on
    // "*" included); aws:PrincipalArn of a role session is the role's ARN.
    this.bus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyTheScannerPutsWorkItems',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': props.role.roleArn } },
      }),
    );
  }

  /** The rule that hands each work item, wrapped, to the scanner function. */
  deliverTo(fn: IFunction, deadLetterQueue: IQueue): Rule {
    this.rule = new Rule(this, 'WorkItemRule', {
      description: 'eks-kubelet-audit: fan-out work items to the scanner, marked as internal',
      eventBus: this.bus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [WORK_ITEM_DETAIL_TYPE] },
      targets: [
        new LambdaFunction(fn, {
          event: new InternalWrapperInput(),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue,
        }),
      ],
    });
    return this.rule;
  }

  /** The statement that lets the scanner put its work items on this bus (and nothing else on it). */
  putStatement(): PolicyStatement {
    return new PolicyStatement({
      sid: 'PutWorkItemsOnInternalBus',
      actions: ['events:PutEvents'],
      resources: [this.bus.eventBusArn],
      conditions: {
        'ForAllValues:StringEquals': {
          'events:source': [EVENT_SOURCE],
          'events:detail-type': [WORK_ITEM_DETAIL_TYPE],
        },
        Null: { 'events:source': 'false', 'events:detail-type': 'false' },
      },
    });
  }
}
