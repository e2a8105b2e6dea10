% rebase('base.tpl', title=_('Virtual phones'))
<h1>{{_("Virtual phones")}}</h1>
<p>{{_("These phones are subscribers of the box's virtual GSM network. Call the box's access number")}} <strong id="access-number">{{access_number}}</strong> {{_("from a phone: the box rejects the call (the caller pays nothing) and calls back; answer, listen, and type a destination ended by")}} <kbd>#</kbd> {{_("on the keypad. Text the box")}} <kbd>BAL</kbd> {{_("or")}} <kbd>HELP</kbd> {{_("and the answer arrives in the inbox. \"Heard\" lists the box's prompts each phone heard.")}}</p>
<div id="phones" data-csrf="{{csrf}}" data-access="{{access_number}}">
% for phone in phones:
  % name = phone['name']
  <section class="card phone" id="phone-{{name}}" data-name="{{name}}">
    <h2>{{name}} <span class="number">{{phone['number']}}</span></h2>
    <p>{{_("State")}} <strong class="state" data-state="{{phone['state']}}">{{phone['state']}}</strong>
       <span class="detail"></span></p>
    <label for="{{name}}-number">{{_("Number to call")}}</label>
    <input id="{{name}}-number" class="dial-number" value="{{access_number}}" inputmode="tel"
           maxlength="40" autocomplete="off">
    <p class="error" id="{{name}}-number-error" hidden></p>
    <button type="button" data-action="dial">{{_("Dial")}}</button>
    <button type="button" data-action="answer">{{_("Answer")}}</button>
    <button type="button" data-action="reject">{{_("Reject")}}</button>
    <button type="button" data-action="hangup">{{_("Hang up")}}</button>
    <p class="error" id="{{name}}-error" hidden></p>
    <p class="keypad" aria-label="keypad of {{name}}">
    % for key in '123456789*0#':
      <button type="button" data-key="{{key}}">{{key}}</button>
    % end
    </p>
    <p class="error" id="{{name}}-keys-error" hidden></p>
    <label for="{{name}}-to">{{_("Text to")}}</label>
    <input id="{{name}}-to" class="sms-to" value="{{access_number}}" inputmode="tel" maxlength="40"
           autocomplete="off">
    <p class="error" id="{{name}}-to-error" hidden></p>
    <label for="{{name}}-text">{{_("Text")}}</label>
    <input id="{{name}}-text" class="sms-text" maxlength="480" autocomplete="off"
           placeholder="BAL, HELP, CB ...">
    <p class="error" id="{{name}}-text-error" hidden></p>
    <button type="button" data-action="sms">{{_("Send SMS")}}</button>
    <h3>{{_("Inbox")}}</h3>
    <ul class="inbox">
    % for sms in phone['inbox']:
      <li><span class="from">{{sms['from']}}</span>: <span class="text">{{sms['text']}}</span></li>
    % end
    </ul>
    <h3>{{_("Heard")}}</h3>
    <ol class="transcript">
    % for item in phone['transcript']:
      <li data-prompt="{{item['prompt']}}">{{item['text']}}</li>
    % end
    </ol>
  </section>
% end
</div>
<script src="/static/phones.js"></script>
