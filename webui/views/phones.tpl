% rebase('base.tpl', title=_('Virtual phones'))
% def minutes(seconds):
%   return "%d:%02d" % divmod(seconds, 60)
% end
% states = {"idle": _("idle"), "dialing": _("dialing"), "alerting": _("alerting"), "ringing": _("ringing"), "active": _("in call")}
% causes = {"normal": _("normal"), "busy": _("busy"), "no answer": _("no answer"), "rejected": _("rejected"), "unassigned number": _("unassigned number"), "subscriber absent": _("subscriber absent"), "network": _("network")}
% import json
<h1>{{_("Virtual phones")}}</h1>
<p>{{_("These phones are subscribers of the box's virtual GSM network. Call the box's access number")}} <strong id="access-number">{{access_number}}</strong> {{_("from a phone: the box rejects the call (the caller pays nothing) and calls back; answer, listen, and type a destination ended by")}} <kbd>#</kbd> {{_("on the keypad. Text the box")}} <kbd>BAL</kbd> {{_("or")}} <kbd>HELP</kbd> {{_("and the answer arrives in the inbox. \"Heard\" lists the box's prompts each phone heard.")}}</p>
<p class="hint phones-hint">{{_("On a small screen, swipe sideways to reach the next phone.")}}</p>
<div id="phones" class="phones" data-csrf="{{csrf}}" data-access="{{access_number}}"
     data-idle="{{states['idle']}}" data-dialing="{{states['dialing']}}" data-alerting="{{states['alerting']}}"
     data-ringing="{{states['ringing']}}" data-active="{{states['active']}}"
     data-withheld="{{_('a withheld number')}}" data-incoming="{{_('incoming call from {peer}')}}"
     data-with="{{_('with {peer}')}}" data-calling="{{_('calling {peer}')}}"
     data-ended="{{_('last call ended: {cause}')}}" data-causes="{{json.dumps(causes)}}" data-call="{{_('Call {number} with {peer}, {time}')}}"
     data-in-call="{{_('This phone is already in a call: hang up first.')}}"
     data-no-call-to-answer="{{_('There is no incoming call to answer.')}}"
     data-no-call-to-reject="{{_('There is no incoming call to reject.')}}"
     data-keys-need-a-call="{{_('Keys work during a call only: dial or answer first.')}}"
     data-bad-number="{{_('This is not a phone number the network can call.')}}"
     data-bad-text="{{_('Write a text of at most 480 characters.')}}"
     data-bad-keys="{{_('Keys are 0-9, * and #.')}}"
     data-down="{{_('The box did not answer: is the demo still running?')}}"
     data-sent="{{_('{name} sent the text.')}}" data-dialed="{{_('{name} is calling {number}.')}}"
     data-answered="{{_('{name} answered.')}}" data-hung-up="{{_('{name} hung up.')}}"
     data-rejected="{{_('{name} rejected the call.')}}">
% for phone in phones:
  % name = phone['name']
  % state = phone['state']
  % idle = state == 'idle'
  % current = phone['calls'][0] if phone['calls'] and not idle else None
  <section class="card phone" id="phone-{{name}}" data-name="{{name}}" aria-labelledby="{{name}}-title">
    <h2 id="{{name}}-title">{{name}} <span class="number">{{phone['number']}}</span></h2>
    <div class="status">
      <strong class="state" data-state="{{state}}">{{states.get(state, state)}}</strong>
      <span class="timer" role="timer" aria-label="{{_('Call time')}}">{{minutes(phone['seconds']) if state == 'active' else ''}}</span>
    </div>
    <span class="detail"></span>
    <output class="typed" aria-label="{{_('Keys typed in this call')}}" data-empty="{{_('Keys typed in this call')}}">{{current['keys'] if current else ''}}</output>
    <label for="{{name}}-number">{{_("Number to call")}}</label>
    <input id="{{name}}-number" class="dial-number" value="{{access_number}}" inputmode="tel"
           maxlength="40" autocomplete="off" aria-describedby="{{name}}-number-error">
    <p class="error" id="{{name}}-number-error" hidden></p>
    <div class="actions">
      <button type="button" data-action="dial"{{!'' if idle else ' disabled'}}>{{_("Dial")}}</button>
      <button type="button" data-action="answer"{{!'' if state == 'ringing' else ' disabled'}}>{{_("Answer")}}</button>
      <button type="button" data-action="reject"{{!'' if state == 'ringing' else ' disabled'}}>{{_("Reject")}}</button>
      <button type="button" data-action="hangup"{{!' disabled' if idle else ''}}>{{_("Hang up")}}</button>
    </div>
    <p class="error" id="{{name}}-error" role="alert" hidden></p>
    <div class="keypad" role="group" aria-label="{{_('Keypad of {name}').format(name=name)}}">
    % for key in '123456789*0#':
      <button type="button" data-key="{{key}}"{{!'' if state == 'active' else ' disabled'}}>{{key}}</button>
    % end
    </div>
    <p class="error" id="{{name}}-keys-error" hidden></p>
    <label for="{{name}}-to">{{_("Text to")}}</label>
    <input id="{{name}}-to" class="sms-to" value="{{access_number}}" inputmode="tel" maxlength="40"
           autocomplete="off" aria-describedby="{{name}}-to-error">
    <p class="error" id="{{name}}-to-error" hidden></p>
    <label for="{{name}}-text">{{_("Text")}}</label>
    <input id="{{name}}-text" class="sms-text" maxlength="480" autocomplete="off"
           placeholder="BAL, HELP, CB ..." aria-describedby="{{name}}-text-error">
    <p class="error" id="{{name}}-text-error" hidden></p>
    <button type="button" data-action="sms">{{_("Send SMS")}}</button>
    <h3>{{_("Inbox")}}</h3>
    <ul class="inbox">
    % for sms in phone['inbox']:
      <li><time>{{clock(sms['at'])}}</time> <span class="from">{{sms['from']}}</span>: <span class="text">{{sms['text']}}</span></li>
    % end
    </ul>
    <h3>{{_("Heard")}}</h3>
    <ol class="calls" reversed>
    % for index, call in enumerate(phone['calls']):
      <li class="{{'current' if call is current else ''}}" data-call="{{call['number']}}">
        <span class="call-head">{{_('Call {number} with {peer}, {time}').format(number=call['number'], peer=call['peer'] or _('a withheld number'), time=clock(call['at']))}}</span>
        <ol class="transcript">
        % for item in call['heard']:
          <li data-prompt="{{item['prompt']}}" lang="{{item['lang']}}" dir="auto"><time>{{clock(item['at'])}}</time> {{item['text']}}</li>
        % end
        </ol>
      </li>
    % end
    </ol>
  </section>
% end
</div>
<script src="/static/phones.js"></script>
